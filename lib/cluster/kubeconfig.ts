import { stringify } from "yaml";

export interface KubeconfigInput {
  /** Environment name: the cluster, user and context are all named after it. */
  readonly name: string;
  /** https://VIP:6443 */
  readonly server: string;
  readonly caCertB64: string;
  readonly clientCertB64: string;
  readonly clientKeyB64: string;
}

/**
 * A kubeconfig whose cluster, user and context all carry the environment name, so the kubeconfigs
 * of sandbox, dev and prod merge into one KUBECONFIG and `kubectl config use-context prod` works.
 */
export function renderKubeconfig(k: KubeconfigInput): string {
  return stringify(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: k.name, cluster: { server: k.server, "certificate-authority-data": k.caCertB64 } }],
      users: [{ name: k.name, user: { "client-certificate-data": k.clientCertB64, "client-key-data": k.clientKeyB64 } }],
      contexts: [{ name: k.name, context: { cluster: k.name, user: k.name } }],
      "current-context": k.name,
      preferences: {},
    },
    { lineWidth: 0 },
  );
}
