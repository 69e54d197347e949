import { toYaml } from "../config/yaml-text";
import { GITLAB_CI_PREFIX, OIDC_PREFIX, type SecuritySettings, STRUCTURED_AUTHENTICATION_MIN_MINOR } from "../config/security";
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
  return parseKubeVersion(version).minor >= STRUCTURED_AUTHENTICATION_MIN_MINOR;
}

/**
 * GitLab CI ID tokens as CEL over their claims (GitLab's `sub` has this shape by default, but a project may change its
 * components: the claims themselves do not move). A missing claim fails the expression, and with it the token.
 */
export const GITLAB_CI_CLAIM_MAPPINGS = {
  username: `'${GITLAB_CI_PREFIX}project_path:' + claims.project_path + ':ref_type:' + claims.ref_type + ':ref:' + claims.ref`,
  groups:
    `['${GITLAB_CI_PREFIX}project_path:' + claims.project_path] + ` +
    `(claims.ref_protected == 'true' ? ['${GITLAB_CI_PREFIX}project_path:' + claims.project_path + ':protected'] : [])`,
} as const;
/** GitLab writes `ref_protected` as the string "true" or "false". */
export const GITLAB_PROTECTED_REF_RULE = { expression: "claims.ref_protected == 'true'", message: "only CI jobs of protected branches and tags may use this cluster" } as const;

/** The group of a GitLab project's CI jobs (all refs, or protected refs only) that tenant RoleBindings name. */
export function gitlabCiGroup(project: string, protectedRefsOnly: boolean): string {
  return `${GITLAB_CI_PREFIX}project_path:${project}${protectedRefsOnly ? ":protected" : ""}`;
}

function gitlabAuthenticator(gitlab: NonNullable<SecuritySettings["gitlabCi"]>): Record<string, unknown> {
  return {
    issuer: { url: gitlab.issuerUrl, audiences: [gitlab.audience], ...(gitlab.caPem ? { certificateAuthority: gitlab.caPem } : {}) },
    ...(gitlab.protectedRefsOnly ? { claimValidationRules: [{ ...GITLAB_PROTECTED_REF_RULE }] } : {}),
    claimMappings: { username: { expression: GITLAB_CI_CLAIM_MAPPINGS.username }, groups: { expression: GITLAB_CI_CLAIM_MAPPINGS.groups } },
  };
}

export function authenticationConfig(version: string, oidc: SecuritySettings["oidc"], gitlab?: SecuritySettings["gitlabCi"]): Record<string, unknown> {
  const minor = parseKubeVersion(version).minor;
  if (minor < STRUCTURED_AUTHENTICATION_MIN_MINOR) throw new Error(`Kubernetes ${version} has no anonymous conditions in AuthenticationConfiguration (1.32+): use oidcFlags`);
  const jwt: Record<string, unknown>[] = oidc
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
  if (gitlab) jwt.push(gitlabAuthenticator(gitlab));
  return {
    apiVersion: minor >= 34 ? "apiserver.config.k8s.io/v1" : "apiserver.config.k8s.io/v1beta1",
    kind: "AuthenticationConfiguration",
    jwt,
    anonymous: { enabled: true, conditions: ANONYMOUS_PATHS.map((path) => ({ path })) },
  };
}

export function authenticationConfigYaml(version: string, oidc: SecuritySettings["oidc"], gitlab?: SecuritySettings["gitlabCi"]): string {
  return toYaml(authenticationConfig(version, oidc, gitlab));
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
