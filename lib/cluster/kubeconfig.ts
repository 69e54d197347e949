import { toYaml } from "../config/yaml-text";

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
  return toYaml(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: k.name, cluster: { server: k.server, "certificate-authority-data": k.caCertB64 } }],
      users: [{ name: k.name, user: { "client-certificate-data": k.clientCertB64, "client-key-data": k.clientKeyB64 } }],
      contexts: [{ name: k.name, context: { cluster: k.name, user: k.name } }],
      "current-context": k.name,
      preferences: {},
    },
  );
}

export interface OidcKubeconfigInput {
  /** Environment name: the cluster and context are named after it, as in the admin kubeconfig. */
  readonly name: string;
  /** https://VIP:6443 */
  readonly server: string;
  readonly caCertB64: string;
  /** The issuer kubectl logs in at, exactly as the API server trusts it. */
  readonly issuerUrl: string;
  /** The public client (no secret) the API server expects as the token audience. */
  readonly clientId: string;
  /** PEM of the issuer's CA when it is not in the system trust store. */
  readonly issuerCaPem?: string;
}

/** kubelogin's scopes beyond openid: the username claim (email) and the groups claim must be in the ID token. */
export const KUBELOGIN_EXTRA_SCOPES = ["email", "groups"] as const;

/**
 * The people's kubeconfig: no credential at all. kubectl runs kubelogin (`kubectl oidc-login`, a client-go
 * exec credential plugin) which logs the person in at the issuer in a browser and hands kubectl the ID token.
 * Cluster and context carry the environment name, so the three environments merge into one KUBECONFIG; the
 * user is `<env>-oidc`, apart from the admin kubeconfig's user.
 */
export function renderOidcKubeconfig(k: OidcKubeconfigInput): string {
  const user = `${k.name}-oidc`;
  const args = [
    "oidc-login",
    "get-token",
    `--oidc-issuer-url=${k.issuerUrl}`,
    `--oidc-client-id=${k.clientId}`,
    ...KUBELOGIN_EXTRA_SCOPES.map((scope) => `--oidc-extra-scope=${scope}`),
    ...(k.issuerCaPem !== undefined ? [`--certificate-authority-data=${Buffer.from(k.issuerCaPem).toString("base64")}`] : []),
  ];
  return toYaml(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: k.name, cluster: { server: k.server, "certificate-authority-data": k.caCertB64 } }],
      users: [
        {
          name: user,
          user: {
            exec: {
              apiVersion: "client.authentication.k8s.io/v1",
              command: "kubectl",
              args,
              // The browser login needs a terminal; without one (CI) kubectl fails instead of hanging.
              interactiveMode: "IfAvailable",
              provideClusterInfo: false,
            },
          },
        },
      ],
      contexts: [{ name: k.name, context: { cluster: k.name, user } }],
      "current-context": k.name,
      preferences: {},
    },
  );
}
