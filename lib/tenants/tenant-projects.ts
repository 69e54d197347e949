import type { TenantSettings } from "../config/tenants";
import type { Tier } from "../config/types";
import { IN_CLUSTER, WORKLOAD_RESOURCES } from "../platform/argocd-apps";
import { NAMESPACE } from "../platform/names";

/**
 * THE Argo CD objects of a tenant, as plain custom resources (delivered by a raw-chart release, validated in tests
 * with @kubernetes-models/argo-cd). Pure: no cdktf.
 */

const RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io";

/** The tenant's AppProject: `tenant-<name>`, apart from the platform's projects (bootstrap, default, <env>). */
export function tenantProjectName(tenant: string): string {
  return `tenant-${tenant}`;
}

/** One Application per stage: `<tenant>-<stage>`. */
export function tenantApplicationName(tenant: string, stage: string): string {
  return `${tenant}-${stage}`;
}

/**
 * Only the tenant's repositories, only its stage namespaces on this cluster, only namespaced workload kinds
 * (WORKLOAD_RESOURCES: no ResourceQuota, LimitRange or anything cluster-scoped). Its directory groups get Argo CD
 * roles in the project (Argo CD reads them from the SSO token, without the Kubernetes `oidc:` prefix): admin and
 * edit groups may sync (the human validation on prod), view groups only read.
 */
export function tenantAppProject(tenant: TenantSettings, gitops: NonNullable<TenantSettings["gitops"]>): Record<string, unknown> {
  const project = tenantProjectName(tenant.name);
  const role = (name: string, groups: readonly string[], actions: readonly string[]) =>
    groups.length === 0 ? [] : [{ name, groups: [...groups], policies: actions.map((a) => `p, proj:${project}:${name}, applications, ${a}, ${project}/*, allow`) }];
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: { name: project, namespace: NAMESPACE.argocd, finalizers: [RESOURCES_FINALIZER] },
    spec: {
      description: `Tenant ${tenant.name}: its repositories into its namespaces only`,
      sourceRepos: [gitops.repoURL, ...gitops.extraSourceRepos],
      destinations: tenant.stages.map((s) => ({ server: IN_CLUSTER, namespace: s.namespace })),
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: WORKLOAD_RESOURCES.map((k) => ({ ...k })),
      roles: [
        ...role("sync", [...tenant.groups.admin, ...tenant.groups.edit], ["get", "sync"]),
        ...role("read", tenant.groups.view, ["get"]),
      ],
    },
  };
}

/** Automated sync outside production; on a prod tier (and for the `prod` stage) a human syncs after reading the diff. */
export function automatedSync(tier: Tier, stage: string): boolean {
  return tier !== "prod" && stage !== "prod";
}

/** One Application per stage: the tenant's chart with `values.yaml` then `values.<stage>.yaml`. */
export function tenantApplications(tenant: TenantSettings, gitops: NonNullable<TenantSettings["gitops"]>, tier: Tier): Record<string, unknown>[] {
  return tenant.stages.map(({ stage, namespace }) => ({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name: tenantApplicationName(tenant.name, stage), namespace: NAMESPACE.argocd, finalizers: [RESOURCES_FINALIZER] },
    spec: {
      project: tenantProjectName(tenant.name),
      source: { repoURL: gitops.repoURL, path: gitops.path, targetRevision: gitops.targetRevision, helm: { valueFiles: ["values.yaml", `values.${stage}.yaml`] } },
      destination: { server: IN_CLUSTER, namespace },
      // Terraform owns the namespace (labels, quota): Argo CD never creates one.
      syncPolicy: automatedSync(tier, stage) ? { automated: { prune: true, selfHeal: true } } : {},
    },
  }));
}
