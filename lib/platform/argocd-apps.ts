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

export interface ArgocdAppsProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  /** Must include the argo-cd release: the CRDs and controller must exist, and on destroy this goes first. */
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * GitOps bootstrap through argo-helm's argocd-apps chart (custom resources through a chart, never
 * kubernetes_manifest, which needs the API server during plan): an AppProject named after the environment
 * and a root Application (app-of-apps) tracking `platform.gitops` in it.
 * The project allows only the GitOps repository (plus `extraSourceRepos`), only this cluster, and no
 * platform namespace (those belong to Terraform/Helm; "!ns" entries deny). Cluster-scoped kinds are
 * limited to Namespace. The root Application lives in `argocd` and creates child Applications there.
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
      ...PLATFORM_NAMESPACES.map((ns) => ({ server: IN_CLUSTER, namespace: `!${ns}` })),
      ...allowed.map((ns) => ({ server: IN_CLUSTER, namespace: ns })),
      // The root app writes child Applications into argocd's namespace.
      ...(allowed.includes("*") ? [] : [{ server: IN_CLUSTER, namespace: NAMESPACE.argocd }]),
    ];
    this.addon = new HelmAddon(this, "helm", {
      releaseName: "argocd-apps",
      chart: CHARTS.argocdApps,
      namespace: NAMESPACE.argocd,
      mirror: context.mirror,
      defaults: {},
      environment: {
        projects: {
          [project]: {
            namespace: NAMESPACE.argocd,
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
            finalizers: ["resources-finalizer.argocd.argoproj.io"],
            project,
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
