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

export interface ArgocdAppsProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  /** Must include the argo-cd release: the CRDs and controller must exist, and on destroy this goes first. */
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * GitOps bootstrap through argo-helm's argocd-apps chart (custom resources through a chart, never
 * kubernetes_manifest, which needs the API server during plan): a root Application (app-of-apps) tracking
 * `platform.gitops`, in two AppProjects:
 * - `bootstrap`, the root app's: it may only create Argo CD `Application` and `AppProject` objects in the
 *   argocd namespace, so the GitOps repository cannot rewrite Argo CD's own configuration through it;
 * - one named after the environment, the child applications': only the GitOps repository (plus
 *   `extraSourceRepos`), only this cluster, no platform namespace and not argocd's (those belong to
 *   Terraform/Helm; "!ns" entries deny); cluster-scoped kinds limited to Namespace.
 * Both projects carry the resources finalizer: on destroy a project goes only after the applications in
 * it, so deleting the release (root app cascading to its children) never leaves an application stuck.
 */
export class ArgocdApps extends Construct {
  readonly addon: HelmAddon;

  constructor(scope: Construct, id: string, props: ArgocdAppsProps) {
    super(scope, id);
    const { context } = props;
    const { gitops } = context.platform;
    const project = context.environment;
    const allowed = gitops.destinationNamespaces ?? ["*"];
    const destinations = [
      ...[...PLATFORM_NAMESPACES, NAMESPACE.argocd].map((ns) => ({ server: IN_CLUSTER, namespace: `!${ns}` })),
      ...allowed.map((ns) => ({ server: IN_CLUSTER, namespace: ns })),
    ];
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
  }
}
