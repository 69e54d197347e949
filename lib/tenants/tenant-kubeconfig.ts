import { toYaml } from "../config/yaml-text";
import { tenantNamespace } from "../config/tenants";

export interface TenantKubeconfigInput {
  readonly environment: string;
  readonly tenant: string;
  /** https://VIP:6443 */
  readonly server: string;
  readonly caCertB64: string;
  /**
   * Stage -> its CI token (or a placeholder the caller replaces with a Terraform value); undefined: a user without
   * credentials (GitLab CI passes its ID token with `kubectl --token`).
   */
  readonly tokens: Readonly<Record<string, string | undefined>>;
}

/** `<env>-<tenant>-<stage>`: the contexts of every environment and tenant merge into one KUBECONFIG. */
export function tenantContextName(environment: string, tenant: string, stage: string): string {
  return `${environment}-${tenant}-${stage}`;
}

/**
 * A tenant's CI kubeconfig: one cluster (the environment), one user and one context per stage, each context
 * defaulting to the stage's namespace, where its token may edit. No current-context: a job names its stage.
 */
export function renderTenantKubeconfig(k: TenantKubeconfigInput): string {
  const stages = Object.keys(k.tokens);
  const name = (stage: string) => tenantContextName(k.environment, k.tenant, stage);
  return toYaml(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: k.environment, cluster: { server: k.server, "certificate-authority-data": k.caCertB64 } }],
      users: stages.map((stage) => ({ name: name(stage), user: k.tokens[stage] === undefined ? {} : { token: k.tokens[stage] } })),
      contexts: stages.map((stage) => ({ name: name(stage), context: { cluster: k.environment, user: name(stage), namespace: tenantNamespace(k.tenant, stage) } })),
      preferences: {},
    },
  );
}

