import { PriorityClassV1 } from "@cdktf/provider-kubernetes/lib/priority-class-v1";
import { Annotations, Fn, type ITerraformDependable, TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { securitySettings } from "../config/security";
import { tenantSettings } from "../config/tenants";
import type { ValidatedEnvironment } from "../config/types";
import { terraformString } from "../cluster/terraform-string";
import { CHARTS } from "../platform/chart-versions";
import { HelmAddon } from "../platform/helm-addon";
import { NAMESPACE } from "../platform/names";
import { TENANT_PRIORITY_CLASS } from "./tenant-objects";
import { tenantAppProject, tenantApplications } from "./tenant-projects";
import { renderTenantKubeconfig } from "./tenant-kubeconfig";
import { TenantRepository } from "./tenant-repository";
import { TenantStage } from "./tenant-stage";

export interface TenantsProps {
  /** What `validateEnvironment` returned (`tenants` checked). */
  readonly config: ValidatedEnvironment;
  /** API endpoint and cluster CA (PEM) the CI kubeconfigs point at (`KubeadmCluster.connection`). */
  readonly connection: { readonly host: string; readonly clusterCaCertificate: string };
  /** The API readiness gate and the platform releases tenants build on. */
  readonly dependsOn: readonly ITerraformDependable[];
  /** The argocd-apps release: Argo CD's CRDs and controller (the tenants' projects and applications need them). */
  readonly argocd: ITerraformDependable;
}

/** Output name of a tenant's CI kubeconfig: `terraform output -raw tenant_<name>_kubeconfig`. */
export function tenantKubeconfigOutput(tenant: string): string {
  return `tenant_${tenant.replace(/-/g, "_")}_kubeconfig`;
}

/** Output name of a tenant's GitLab CI kubeconfig (no credential: the job's ID token goes to `kubectl --token`). */
export function tenantGitlabKubeconfigOutput(tenant: string): string {
  return `tenant_${tenant.replace(/-/g, "_")}_gitlab_kubeconfig`;
}

/**
 * Every tenant of the environment (`tenants`), after the platform: a stage namespace each with quota, limits,
 * policies, bindings and CI access (TenantStage), the tenant's Argo CD project and applications (a raw-chart
 * release `tenant-<name>` in argocd, like the platform's locked default project), its sensitive CI kubeconfig
 * output, and the PriorityClass of tenant workloads. Construct ids are tenant and stage names: renaming a tenant
 * or a stage deletes its namespaces (the review gate refuses that: namespace-contents).
 */
export class Tenants extends Construct {
  readonly stages: TenantStage[] = [];

  constructor(scope: Construct, id: string, props: TenantsProps) {
    super(scope, id);
    const { config } = props;
    const tenants = tenantSettings(config);
    if (tenants.length === 0) return;
    const oidc = securitySettings(config).oidc !== undefined;
    if (!oidc && tenants.some((t) => Object.values(t.groups).some((g) => g.length > 0))) {
      Annotations.of(this).addWarning(
        `${config.name}: tenants name directory groups but security.oidc is not set: no group RoleBinding is written until it is (the API server would know no such group)`,
      );
    }
    new PriorityClassV1(this, "priority-class", {
      metadata: { name: TENANT_PRIORITY_CLASS.name, labels: { "app.kubernetes.io/managed-by": "terraform" } },
      value: TENANT_PRIORITY_CLASS.value,
      preemptionPolicy: TENANT_PRIORITY_CLASS.preemptionPolicy,
      globalDefault: false,
      description: "Tenant workloads: below every platform add-on, so the scheduler preempts tenants first (README, Tenants)",
      dependsOn: [...props.dependsOn],
    });
    for (const tenant of tenants) {
      const scopeOf = new Construct(this, tenant.name);
      const stages = tenant.stages.map(
        (stage) => new TenantStage(scopeOf, stage.stage, { tenant, stage, kubernetesVersion: config.kubernetes.version, oidc, dependsOn: props.dependsOn }),
      );
      this.stages.push(...stages);
      if (tenant.gitops) {
        new HelmAddon(scopeOf, "gitops", {
          releaseName: `tenant-${tenant.name}`,
          chart: CHARTS.raw,
          namespace: NAMESPACE.argocd,
          mirror: config.registryMirror,
          defaults: {},
          environment: { resources: [tenantAppProject(tenant, tenant.gitops), ...tenantApplications(tenant, tenant.gitops, config.tier)] },
          timeoutSeconds: 300,
          // Destinations must exist before an automated sync; on destroy the applications go before their namespaces.
          dependsOn: [props.argocd, ...stages.map((s) => s.namespace)],
        });
        if (tenant.gitops.username !== undefined) new TenantRepository(scopeOf, "repository", { tenant: tenant.name, gitops: tenant.gitops, dependsOn: [props.argocd] });
      }
      const ca = "<ca>";
      if (tenant.gitlabCi) {
        const text = renderTenantKubeconfig({
          environment: config.name,
          tenant: tenant.name,
          server: props.connection.host,
          caCertB64: ca,
          tokens: Object.fromEntries(stages.map((s) => [s.node.id, undefined])),
        });
        new TerraformOutput(scopeOf, "gitlab-kubeconfig", {
          description: `GitLab CI kubeconfig of tenant ${tenant.name} on ${config.name} (${tenant.gitlabCi.project}): no credential, kubectl --token "$<id_token variable>"`,
          value: terraformString(text, { [ca]: Fn.base64encode(props.connection.clusterCaCertificate) }),
        }).overrideLogicalId(tenantGitlabKubeconfigOutput(tenant.name));
      }
      const withCi = stages.filter((s) => s.ci);
      if (withCi.length === 0) continue;
      const placeholder = (stage: string) => `<token:${stage}>`;
      const text = renderTenantKubeconfig({
        environment: config.name,
        tenant: tenant.name,
        server: props.connection.host,
        caCertB64: ca,
        tokens: Object.fromEntries(withCi.map((s) => [s.node.id, placeholder(s.node.id)])),
      });
      new TerraformOutput(scopeOf, "kubeconfig", {
        description: `CI kubeconfig of tenant ${tenant.name} on ${config.name}: a context <env>-<tenant>-<stage> per stage, tokens renewed by applies`,
        sensitive: true,
        value: terraformString(text, {
          [ca]: Fn.base64encode(props.connection.clusterCaCertificate),
          ...Object.fromEntries(withCi.map((s) => [placeholder(s.node.id), s.ci!.token.token])),
        }),
      }).overrideLogicalId(tenantKubeconfigOutput(tenant.name));
    }
  }
}
