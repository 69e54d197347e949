import { stringify } from "yaml";
import { OIDC_PREFIX, type SecuritySettings } from "../config/security";
import { parseKubeVersion } from "./versions";

export const AUTHENTICATION_CONFIG_PATH = "/etc/kubernetes/apiserver/authentication-config.yaml";
/** The OIDC issuer's CA for `--oidc-ca-file` (versions without structured authentication only). */
export const OIDC_CA_PATH = "/etc/kubernetes/apiserver/oidc-ca.crt";

/**
 * The only requests served without credentials (exact paths; a query string does not matter):
 * - /livez, /readyz, /healthz: the kubelet's probes of the API server static pod, the readiness gate
 *   (lib/cluster/readiness-gate.ts) and the bootstrap's api_ready (lib/cluster/bootstrap-script.ts);
 * - kube-public/cluster-info: `kubeadm join` token discovery reads it anonymously, verifies its JWS
 *   signature with the join token and the CA by its pinned hash. Without it no node could ever join.
 */
export const ANONYMOUS_PATHS = ["/livez", "/readyz", "/healthz", "/api/v1/namespaces/kube-public/configmaps/cluster-info"] as const;

/**
 * Structured authentication (`--authentication-config`) with anonymous conditions: the
 * AnonymousAuthConfigurableEndpoints gate is beta and on by default from 1.32 (GA, locked on, in 1.34),
 * the AuthenticationConfiguration is apiserver.config.k8s.io/v1beta1 until 1.33 and v1 from 1.34.
 * Older versions keep kubeadm's default (anonymous-auth on, RBAC limiting system:unauthenticated to
 * system:public-info-viewer and cluster-info) and take OIDC through the --oidc-* flags.
 */
export function usesStructuredAuthentication(version: string): boolean {
  return parseKubeVersion(version).minor >= 32;
}

export function authenticationConfig(version: string, oidc: SecuritySettings["oidc"]): Record<string, unknown> {
  const minor = parseKubeVersion(version).minor;
  if (minor < 32) throw new Error(`Kubernetes ${version} has no anonymous conditions in AuthenticationConfiguration (1.32+): use oidcFlags`);
  const jwt = oidc
    ? [
        {
          issuer: { url: oidc.issuerUrl, audiences: [oidc.clientId], ...(oidc.caPem ? { certificateAuthority: oidc.caPem } : {}) },
          claimMappings: {
            username: { claim: oidc.usernameClaim, prefix: OIDC_PREFIX },
            groups: { claim: oidc.groupsClaim, prefix: OIDC_PREFIX },
          },
        },
      ]
    : [];
  return {
    apiVersion: minor >= 34 ? "apiserver.config.k8s.io/v1" : "apiserver.config.k8s.io/v1beta1",
    kind: "AuthenticationConfiguration",
    jwt,
    anonymous: { enabled: true, conditions: ANONYMOUS_PATHS.map((path) => ({ path })) },
  };
}

export function authenticationConfigYaml(version: string, oidc: SecuritySettings["oidc"]): string {
  return stringify(authenticationConfig(version, oidc), { lineWidth: 0 });
}

/** The same OIDC trust as flags, for versions without structured authentication (< 1.32). */
export function oidcFlags(oidc: NonNullable<SecuritySettings["oidc"]>): Record<string, string> {
  return {
    "oidc-issuer-url": oidc.issuerUrl,
    "oidc-client-id": oidc.clientId,
    "oidc-username-claim": oidc.usernameClaim,
    "oidc-username-prefix": OIDC_PREFIX,
    "oidc-groups-claim": oidc.groupsClaim,
    "oidc-groups-prefix": OIDC_PREFIX,
    ...(oidc.caPem ? { "oidc-ca-file": OIDC_CA_PATH } : {}),
  };
}
