import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { type ITerraformDependable, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { MANAGED_BY_TERRAFORM, REGENERATED_LABEL } from "../config/labels";
import type { TenantSettings } from "../config/tenants";
import { NAMESPACE } from "../platform/names";
import { tenantProjectName } from "./tenant-projects";

/** `TF_VAR_tenant_<name>_repo_password`: the Git password or token of a tenant's private GitOps repository. */
export function tenantRepoPasswordVariable(tenant: string): string {
  return `tenant_${tenant.replace(/-/g, "_")}_repo_password`;
}

/** The Argo CD repository Secret of a tenant's GitOps repository (argocd namespace). */
export function tenantRepositorySecretName(tenant: string): string {
  return `repo-tenant-${tenant}`;
}

/**
 * Argo CD's declarative repository: a Secret labelled `argocd.argoproj.io/secret-type: repository`, read by Argo CD
 * wherever it comes from. `project` scopes it to the tenant's AppProject: only that project's applications use the
 * credential, and a tenant's admin may not add repositories to anyone else's project.
 */
export function tenantRepositoryData(tenant: string, gitops: NonNullable<TenantSettings["gitops"]>, password: string): Record<string, string> {
  return { type: "git", url: gitops.repoURL, project: tenantProjectName(tenant), username: gitops.username!, password };
}

export interface TenantRepositoryProps {
  readonly tenant: string;
  /** The tenant's GitOps, with `username` set. */
  readonly gitops: NonNullable<TenantSettings["gitops"]>;
  /** Argo CD (its namespace and the argocd-apps release). */
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * The credentials of a tenant's private GitOps repository (`tenants[].gitops.username`): the password or token comes
 * from the sensitive variable `tenant_<name>_repo_password` into the repository Secret's data (marked sensitive in
 * the plan, never in a Helm value). Labelled regenerated: the next apply writes it again from the variable, so the
 * review gate lets it be replaced or deleted (kubernetes-secrets).
 */
export class TenantRepository extends Construct {
  readonly password: TerraformVariable;
  readonly secret: SecretV1;

  constructor(scope: Construct, id: string, props: TenantRepositoryProps) {
    super(scope, id);
    this.password = new TerraformVariable(this, "password", {
      type: "string",
      sensitive: true,
      description: `Password or token of ${props.gitops.username} for ${props.gitops.repoURL} (tenant ${props.tenant}'s Argo CD repository)`,
    });
    this.password.overrideLogicalId(tenantRepoPasswordVariable(props.tenant));
    this.secret = new SecretV1(this, "secret", {
      metadata: {
        name: tenantRepositorySecretName(props.tenant),
        namespace: NAMESPACE.argocd,
        labels: { "argocd.argoproj.io/secret-type": "repository", ...MANAGED_BY_TERRAFORM, ...REGENERATED_LABEL },
      },
      type: "Opaque",
      data: tenantRepositoryData(props.tenant, props.gitops, this.password.stringValue),
      dependsOn: [...props.dependsOn],
    });
  }
}
