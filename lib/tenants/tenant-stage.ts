import { LimitRangeV1 } from "@cdktf/provider-kubernetes/lib/limit-range-v1";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { ResourceQuotaV1 } from "@cdktf/provider-kubernetes/lib/resource-quota-v1";
import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { TenantSettings, TenantStageSettings } from "../config/tenants";
import { podSecurityLabels } from "../platform/namespaces";
import { providerSpec } from "../platform/platform-network-policies";
import { oidcGroupSubject } from "../platform/people-access";
import { CiAccess } from "./ci-access";
import { gitlabCiGroup } from "../cluster/authentication-config";
import { GITLAB_CI_BINDING, TENANT_BINDINGS, TENANT_ROLES, type TenantRole, containerLimits, quotaHard, tenantLabels, tenantNetworkPolicies } from "./tenant-objects";

export interface TenantStageProps {
  readonly tenant: TenantSettings;
  readonly stage: TenantStageSettings;
  /** Kubernetes x.y.z: the Pod Security version the labels pin. */
  readonly kubernetesVersion: string;
  /** Whether the API server knows directory groups (`security.oidc`): without it no group binding is written. */
  readonly oidc: boolean;
  /** The API readiness gate (and the platform, so that tenants come last and go first). */
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * One stage of a tenant: its namespace (Pod Security labels), ResourceQuota, LimitRange, NetworkPolicies, the
 * RoleBindings of its directory groups and, when on, its CI ServiceAccount and token and its GitLab project's binding. Everything in the
 * namespace depends on it, so Terraform deletes the namespace last.
 */
export class TenantStage extends Construct {
  readonly namespace: NamespaceV1;
  readonly ci?: CiAccess;

  constructor(scope: Construct, id: string, props: TenantStageProps) {
    super(scope, id);
    const { tenant, stage } = props;
    const name = stage.namespace;
    const labels = tenantLabels(tenant.name, stage.stage);
    this.namespace = new NamespaceV1(this, "namespace", {
      metadata: { name, labels: { ...labels, ...podSecurityLabels(tenant.podSecurity, props.kubernetesVersion) } },
      waitForDefaultServiceAccount: true,
      dependsOn: [...props.dependsOn],
    });
    const inNamespace = (resource: string) => ({ name: resource, namespace: name, labels: { ...labels } });
    const after = [this.namespace];
    new ResourceQuotaV1(this, "quota", { metadata: inNamespace("tenant-quota"), spec: { hard: quotaHard(stage.quota) }, dependsOn: after });
    new LimitRangeV1(this, "limits", { metadata: inNamespace("tenant-limits"), spec: { limit: [containerLimits(tenant.containerDefaults)] }, dependsOn: after });
    for (const policy of tenantNetworkPolicies(tenant, name)) {
      new NetworkPolicyV1(this, `policy-${policy.metadata.name}`, { metadata: inNamespace(policy.metadata.name), spec: providerSpec(policy.spec), dependsOn: after });
    }
    if (props.oidc) {
      for (const role of Object.keys(TENANT_ROLES) as TenantRole[]) {
        const groups = tenant.groups[role];
        if (groups.length === 0) continue;
        new RoleBindingV1(this, `${role}-binding`, {
          metadata: inNamespace(TENANT_BINDINGS[role]),
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: TENANT_ROLES[role] },
          subject: groups.map(oidcGroupSubject),
          dependsOn: after,
        });
      }
    }
    if (tenant.gitlabCi) {
      // The project's CI jobs as the API server names them from their id_tokens (security.gitlabCi): no stored token.
      new RoleBindingV1(this, "gitlab-ci-binding", {
        metadata: inNamespace(GITLAB_CI_BINDING),
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: TENANT_ROLES.edit },
        subject: [{ kind: "Group", name: gitlabCiGroup(tenant.gitlabCi.project, tenant.gitlabCi.protectedRefsOnly), apiGroup: "rbac.authorization.k8s.io" }],
        dependsOn: after,
      });
    }
    if (tenant.ciTokenHours !== undefined) {
      this.ci = new CiAccess(this, "ci", { namespace: name, labels, tokenHours: tenant.ciTokenHours, dependsOn: after });
    }
  }
}
