import { toYaml } from "../config/yaml-text";
import type { SecuritySettings } from "../config/security";

/**
 * Single sign-on of Grafana and Argo CD through the environment's OIDC issuer (`security.oidc` with a
 * `webClientId`): pure values, the constructs put them into their releases. The client secret never appears
 * here: Grafana reads it from an environment variable and Argo CD from argocd-secret, both filled through
 * set_sensitive from the sensitive variable `oidc_client_secret`.
 */

/** `security.oidc` resolved (securitySettings). */
export type OidcSettings = NonNullable<SecuritySettings["oidc"]>;

/** The sensitive Terraform variable with the web client's secret (`TF_VAR_oidc_client_secret`). */
export const OIDC_CLIENT_SECRET_VARIABLE = "oidc_client_secret";
/** Scopes Grafana and Argo CD request: the groups scope must put the groups claim into the tokens (README). */
export const OIDC_WEB_SCOPES = ["openid", "profile", "email", "groups"] as const;

/** Grafana's role mapping and login settings; where it mounts the issuer's CA. */
export const GRAFANA_OIDC_CA_CONFIGMAP = "grafana-oidc-ca";
const GRAFANA_OIDC_CA_DIR = "/etc/grafana/oidc-ca";
export const GRAFANA_OIDC_CA_FILE = `${GRAFANA_OIDC_CA_DIR}/ca.crt`;
/** Grafana reads any grafana.ini key from GF_<SECTION>_<KEY>: the secret stays out of grafana.ini (a ConfigMap). */
export const GRAFANA_CLIENT_SECRET_ENV = "GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET";
/** Key of the client secret in argocd-secret, as oidc.config references it (`$oidc.clientSecret`). */
export const ARGOCD_CLIENT_SECRET_KEY = "oidc.clientSecret";

/**
 * Grafana's generic_oauth needs the endpoints spelled out (it reads no discovery document). They are derived
 * from the issuer with Keycloak's layout (`<issuer>/protocol/openid-connect/...`), the usual on-premises
 * issuer; another issuer's endpoints go into `platform.overrides["kube-prometheus-stack"]` (README, People).
 */
export function grafanaOAuthEndpoints(issuerUrl: string): { auth_url: string; token_url: string; api_url: string } {
  const base = `${issuerUrl.replace(/\/+$/, "")}/protocol/openid-connect`;
  return { auth_url: `${base}/auth`, token_url: `${base}/token`, api_url: `${base}/userinfo` };
}

/** A JMESPath raw string literal. */
function jmesString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/**
 * JMESPath from the groups claim to a Grafana role: an admin group gives Admin, else a viewer group gives
 * Viewer, else nothing (role_attribute_strict then refuses the login).
 */
export function grafanaRoleAttributePath(oidc: OidcSettings): string {
  // A quoted identifier (claim names may hold ':', '.', '/', '-'); a token without the claim counts as no
  // group (contains() of null is a type error).
  const claim = `("${oidc.groupsClaim}" || \`[]\`)`;
  const anyOf = (groups: readonly string[]) => groups.map((g) => `contains(${claim}, ${jmesString(g)})`).join(" || ");
  const rules = [
    ...(oidc.adminGroups.length > 0 ? [`(${anyOf(oidc.adminGroups)}) && 'Admin'`] : []),
    ...(oidc.viewerGroups.length > 0 ? [`(${anyOf(oidc.viewerGroups)}) && 'Viewer'`] : []),
  ];
  // Without a match the result is null, not false: no role.
  return [...rules, "`null`"].join(" || ");
}

/** Grafana values (the kube-prometheus-stack `grafana:` block) for single sign-on. */
export function grafanaOidcValues(oidc: OidcSettings & { webClientId: string }, rootUrl: string): Record<string, unknown> {
  return {
    "grafana.ini": {
      // The redirect URI Grafana sends is built from root_url (else http://localhost:3000).
      server: { root_url: rootUrl },
      "auth.generic_oauth": {
        enabled: true,
        name: "SSO",
        client_id: oidc.webClientId,
        scopes: OIDC_WEB_SCOPES.join(" "),
        ...grafanaOAuthEndpoints(oidc.issuerUrl),
        use_pkce: true,
        login_attribute_path: `"${oidc.usernameClaim}"`,
        groups_attribute_path: `"${oidc.groupsClaim}"`,
        role_attribute_path: grafanaRoleAttributePath(oidc),
        role_attribute_strict: true,
        // Directory users get a Grafana account at their first login; the role follows their groups at every login.
        allow_sign_up: true,
        ...(oidc.caPem !== undefined ? { tls_client_ca: GRAFANA_OIDC_CA_FILE } : {}),
      },
      // The form stays: admin / grafana_admin_password is the break-glass login when the issuer is down.
      auth: { disable_login_form: false },
    },
    ...(oidc.caPem !== undefined
      ? { extraConfigmapMounts: [{ name: "oidc-ca", mountPath: GRAFANA_OIDC_CA_DIR, configMap: GRAFANA_OIDC_CA_CONFIGMAP, readOnly: true }] }
      : {}),
  };
}

/** The ConfigMap with the issuer's CA that Grafana mounts (a CA certificate is public). */
export function grafanaOidcCaConfigMap(caPem: string, namespace: string): Record<string, unknown> {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: GRAFANA_OIDC_CA_CONFIGMAP, namespace }, data: { "ca.crt": caPem } };
}

/** Argo CD's argocd-cm `oidc.config` (YAML text); the secret is a reference into argocd-secret. */
export function argoCdOidcConfig(oidc: OidcSettings & { webClientId: string }): string {
  return toYaml(
    {
      name: "SSO",
      issuer: oidc.issuerUrl,
      clientID: oidc.webClientId,
      clientSecret: `$${ARGOCD_CLIENT_SECRET_KEY}`,
      requestedScopes: [...OIDC_WEB_SCOPES],
      requestedIDTokenClaims: { [oidc.groupsClaim]: { essential: true } },
      ...(oidc.caPem !== undefined ? { rootCA: oidc.caPem } : {}),
    },
  );
}

/**
 * Argo CD RBAC: admin groups get role:admin, viewer groups role:readonly, everybody else nothing
 * (`policy.default` empty). Argo CD sees the issuer's group names as they are (the "oidc:" prefix is the API
 * server's); `scopes` names the claim the groups come from.
 */
export function argoCdRbacValues(oidc: OidcSettings): Record<string, string> {
  const lines = [
    ...oidc.adminGroups.map((g) => `g, ${g}, role:admin`),
    ...oidc.viewerGroups.map((g) => `g, ${g}, role:readonly`),
  ];
  return { "policy.default": "", "policy.csv": lines.length > 0 ? `${lines.join("\n")}\n` : "", scopes: `[${oidc.groupsClaim}]` };
}
