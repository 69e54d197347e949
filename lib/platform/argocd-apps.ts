import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { PLATFORM_DEFAULTS } from "../config/defaults";
import { CHARTS } from "./chart-versions";
import { addonOverrides, type PlatformContext } from "./platform-context";
import { HelmAddon } from "./helm-addon";
import { NAMESPACE, PLATFORM_NAMESPACES } from "./names";

/** The in-cluster API server as Argo CD names it: the AppProject only allows this cluster. */
export const IN_CLUSTER = "https://kubernetes.default.svc";
export const ROOT_APPLICATION = "root";
/** The project of the root Application: Application and AppProject objects in argocd's namespace, nothing else. */
export const BOOTSTRAP_PROJECT = "bootstrap";
/** Argo CD's cascade finalizer: a project or application goes only after what depends on it. */
const RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io";
/** The project argocd-server creates at startup, open to everything, for Applications that name no project. */
export const DEFAULT_PROJECT = "default";

export interface ResourceKind {
  readonly group: string;
  readonly kind: string;
}

/**
 * What an application in the environment's project may create inside its namespaces: workloads, their
 * configuration, networking, namespace-local RBAC, autoscaling, certificates and monitoring objects.
 * Not ResourceQuota and LimitRange (the platform sets a namespace's limits), nothing cluster-scoped but
 * Namespace. More through `gitops.extraNamespaceResources`.
 */
export const WORKLOAD_RESOURCES: readonly ResourceKind[] = [
  ...["ConfigMap", "Secret", "Service", "ServiceAccount", "PersistentVolumeClaim", "Endpoints"].map((kind) => ({ group: "", kind })),
  ...["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"].map((kind) => ({ group: "apps", kind })),
  ...["Job", "CronJob"].map((kind) => ({ group: "batch", kind })),
  ...["Ingress", "NetworkPolicy"].map((kind) => ({ group: "networking.k8s.io", kind })),
  ...["Role", "RoleBinding"].map((kind) => ({ group: "rbac.authorization.k8s.io", kind })),
  { group: "autoscaling", kind: "HorizontalPodAutoscaler" },
  { group: "policy", kind: "PodDisruptionBudget" },
  ...["Certificate", "Issuer"].map((kind) => ({ group: "cert-manager.io", kind })),
  ...["ServiceMonitor", "PodMonitor", "PrometheusRule", "Probe"].map((kind) => ({ group: "monitoring.coreos.com", kind })),
  ...["IngressRoute", "Middleware"].map((kind) => ({ group: "traefik.io", kind })),
];

/** `KafkaTopic.kafka.strimzi.io` -> { group: "kafka.strimzi.io", kind: "KafkaTopic" }; `ConfigMap` -> core group. */
export function parseKindDotGroup(value: string): ResourceKind {
  const dot = value.indexOf(".");
  return dot < 0 ? { group: "", kind: value } : { group: value.slice(dot + 1), kind: value.slice(0, dot) };
}

/**
 * The `default` project locked: no source, no destination, no kind. An Application that names no project
 * (or `default`) cannot sync anything, so nothing escapes the two projects below by leaving `project` out.
 * Empty lists are written out (not left away): Helm's patch of an adopted object only removes what the
 * manifest says, and argocd-server created this one with `*` everywhere.
 */
export function lockedDefaultProject(): Record<string, unknown> {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: {
      name: DEFAULT_PROJECT,
      namespace: NAMESPACE.argocd,
      // Uninstalling the release must not delete it: argocd-server would create it again, open.
      annotations: { "helm.sh/resource-policy": "keep" },
    },
    spec: {
      description: "Locked: every application names its own project (README, Security)",
      sourceRepos: [],
      destinations: [],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [],
    },
  };
}

export interface ArgocdAppsProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  /** Must include the argo-cd release: the CRDs and controller must exist, and on destroy this goes first. */
  readonly dependsOn: readonly ITerraformDependable[];
  /**
   * Every tenant's stage namespaces: denied to the environment's project (each belongs to its tenant's project only).
   * @default []
   */
  readonly tenantNamespaces?: readonly string[];
}

/**
 * The environment project's destinations: this cluster, every allowed namespace except the platform's, argocd's and
 * the tenants' ("!ns" entries deny, whatever the allowed patterns match; Argo CD checks denials first).
 */
export function environmentProjectDestinations(allowed: readonly string[], tenantNamespaces: readonly string[]): { server: string; namespace: string }[] {
  return [
    ...[...PLATFORM_NAMESPACES, NAMESPACE.argocd, ...tenantNamespaces].map((ns) => ({ server: IN_CLUSTER, namespace: `!${ns}` })),
    ...allowed.map((ns) => ({ server: IN_CLUSTER, namespace: ns })),
  ];
}

/**
 * GitOps bootstrap through argo-helm's argocd-apps chart (custom resources through a chart, never
 * kubernetes_manifest, which needs the API server during plan): a root Application (app-of-apps) tracking
 * `platform.gitops`, in two AppProjects:
 * - `bootstrap`, the root app's: it may only create Argo CD `Application` and `AppProject` objects in the
 *   argocd namespace, so the GitOps repository cannot rewrite Argo CD's own configuration through it;
 * - one named after the environment, the child applications': only the GitOps repository (plus
 *   `extraSourceRepos`), only this cluster, no platform namespace, not argocd's (those belong to
 *   Terraform/Helm) and no tenant's (each is its tenant project's); "!ns" entries deny; cluster-scoped kinds
 *   limited to Namespace.
 * Both projects carry the resources finalizer: on destroy a project goes only after the applications in
 * it, so deleting the release (root app cascading to its children) never leaves an application stuck.
 * The `default` project is locked (lockedDefaultProject), and the environment's project allows only
 * WORKLOAD_RESOURCES (plus `gitops.extraNamespaceResources`) inside its namespaces.
 */
export class ArgocdApps extends Construct {
  readonly addon: HelmAddon;
  /** The `default` project, locked (lockedDefaultProject): its own release of the raw chart, adopting the object. */
  readonly defaultProject: HelmAddon;

  constructor(scope: Construct, id: string, props: ArgocdAppsProps) {
    super(scope, id);
    const { context } = props;
    const { gitops } = context.platform;
    const project = context.environment;
    const destinations = environmentProjectDestinations(gitops.destinationNamespaces ?? ["*"], props.tenantNamespaces ?? []);
    this.addon = new HelmAddon(this, "helm", {
      releaseName: "argocd-apps",
      chart: CHARTS.argocdApps,
      namespace: NAMESPACE.argocd,
      mirror: context.mirror,
      defaults: {},
      environment: {
        projects: {
          [BOOTSTRAP_PROJECT]: {
            namespace: NAMESPACE.argocd,
            finalizers: [RESOURCES_FINALIZER],
            description: `The ${context.environment} root application: Argo CD applications and projects only`,
            sourceRepos: [gitops.repoURL],
            destinations: [{ server: IN_CLUSTER, namespace: NAMESPACE.argocd }],
            clusterResourceWhitelist: [],
            namespaceResourceWhitelist: [
              { group: "argoproj.io", kind: "Application" },
              { group: "argoproj.io", kind: "AppProject" },
            ],
          },
          [project]: {
            namespace: NAMESPACE.argocd,
            finalizers: [RESOURCES_FINALIZER],
            description: `Everything the ${context.environment} GitOps repository deploys`,
            sourceRepos: [gitops.repoURL, ...(gitops.extraSourceRepos ?? [])],
            destinations,
            clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
            namespaceResourceWhitelist: [...WORKLOAD_RESOURCES, ...(gitops.extraNamespaceResources ?? []).map(parseKindDotGroup)],
          },
        },
        applications: {
          [ROOT_APPLICATION]: {
            namespace: NAMESPACE.argocd,
            // Deleting the root app (destroy) cascades to the child apps while Argo CD still runs.
            finalizers: [RESOURCES_FINALIZER],
            project: BOOTSTRAP_PROJECT,
            source: {
              repoURL: gitops.repoURL,
              path: gitops.path,
              targetRevision: gitops.targetRevision ?? PLATFORM_DEFAULTS.gitopsTargetRevision,
              directory: { recurse: true },
            },
            destination: { server: IN_CLUSTER, namespace: NAMESPACE.argocd },
            syncPolicy: { automated: { prune: true, selfHeal: true } },
          },
        },
      },
      overrides: addonOverrides(context, "argocd-apps"),
      timeoutSeconds: 300,
      dependsOn: props.dependsOn,
    });

    // argocd-server creates `default` when it starts, so no chart can create it: Helm adopts the existing
    // object (take_ownership, Helm >= 3.17) and patches it to the locked spec. Neither argocd-apps (its project
    // template leaves empty lists out, which would keep the `*` entries) nor a curl PATCH from a local-exec
    // (runs only when its trigger changes, and hides the spec from the plan's values diff) does that as well.
    this.defaultProject = new HelmAddon(this, "default-project", {
      releaseName: "argocd-default-project",
      chart: CHARTS.raw,
      namespace: NAMESPACE.argocd,
      mirror: context.mirror,
      defaults: {},
      environment: { resources: [lockedDefaultProject()] },
      timeoutSeconds: 300,
      dependsOn: props.dependsOn,
    });
    this.defaultProject.release.takeOwnership = true;
  }
}
