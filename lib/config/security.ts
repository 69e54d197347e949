import { readArray, readEnum, readInteger, readObject, readString, readStringList, type Input } from "./fields";
import { TIER_RULES } from "./defaults";
import { FIELDS } from "./field-lists";
import { Problems, show } from "./problems";
import type { Tier } from "./types";

/**
 * The security baseline of an environment (`EnvironmentConfig.security`). Every control is on by default,
 * so a prod environment is hardened with no configuration; each one is a visible, typed switch here.
 * `securitySettings()` resolves the defaults once; constructs read only that.
 */

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";
export const POD_SECURITY_LEVELS: readonly PodSecurityLevel[] = ["privileged", "baseline", "restricted"];

/** The API server's audit log on every control-plane node (/var/log/kubernetes/audit/audit.log). */
export interface AuditLogConfig {
  /**
   * Days a rotated audit log file is kept (`--audit-log-maxage`).
   * @default 30
   */
  readonly maxAgeDays?: number;
  /**
   * Size in MiB at which the log is rotated (`--audit-log-maxsize`).
   * @default 100
   */
  readonly maxSizeMiB?: number;
  /**
   * Rotated files kept (`--audit-log-maxbackup`): with the defaults at most ~1 GiB per node.
   * @default 10
   */
  readonly maxBackups?: number;
}

/** The cluster-wide Pod Security Admission default (namespaces without their own labels). */
export interface PodSecurityDefaults {
  /** @default "baseline" */
  readonly enforce?: PodSecurityLevel;
  /** @default "restricted" */
  readonly warn?: PodSecurityLevel;
  /** @default "restricted" */
  readonly audit?: PodSecurityLevel;
}

/**
 * People log in through the corporate directory's OIDC issuer: the API server trusts it (kubectl with
 * kubelogin), and Grafana and Argo CD use it for single sign-on.
 */
export interface OidcConfig {
  /** https URL of the issuer, exactly as in its discovery document's `issuer`, e.g. "https://sso.example.internal/realms/corp". */
  readonly issuerUrl: string;
  /**
   * Client id kubectl (kubelogin) logs in with and the API server expects as the token audience: a public
   * client (no secret), redirect URI http://localhost:8000.
   */
  readonly clientId: string;
  /**
   * Client id of Grafana and Argo CD (a confidential client; its secret comes from the sensitive Terraform
   * variable `oidc_client_secret`). Redirect URIs: https://grafana.<domain>/login/generic_oauth and
   * https://argocd.<domain>/auth/callback.
   * @default no single sign-on for Grafana and Argo CD (only kubectl uses the issuer)
   */
  readonly webClientId?: string;
  /** @default "email" */
  readonly usernameClaim?: string;
  /** @default "groups" */
  readonly groupsClaim?: string;
  /**
   * PEM CA of the issuer's TLS certificate (an internal CA), trusted by the API server, Grafana and Argo CD.
   * @default the system trust store only
   */
  readonly caPem?: string;
  /** Directory groups bound to cluster-admin (and Argo CD role:admin, Grafana Admin). @default [] */
  readonly adminGroups?: readonly string[];
  /** Directory groups bound to view (and Argo CD role:readonly, Grafana Viewer). @default [] */
  readonly viewerGroups?: readonly string[];
}

/**
 * The site's GitLab as a second token issuer of the API server: a CI job's `id_tokens` JWT (audience `audience`)
 * authenticates as `gitlab:project_path:<group/project>:ref_type:<branch|tag>:ref:<ref>`, in the groups
 * `gitlab:project_path:<group/project>` and, for a protected branch or tag, `...:protected`. Tenants bind their
 * project (`tenants[].ci.gitlabProject`). Needs structured authentication (Kubernetes 1.32+ here).
 */
export interface GitLabCiConfig {
  /** https URL of the GitLab instance, exactly the `iss` of its ID tokens (no trailing slash), e.g. "https://gitlab.example.internal". */
  readonly issuerUrl: string;
  /** The `aud` CI jobs ask for in `id_tokens` and the API server requires, one per environment, e.g. "kubernetes-prod". */
  readonly audience: string;
  /** PEM CA of GitLab's TLS certificate, for the API server's discovery and key fetches. @default the system trust store */
  readonly caPem?: string;
  /**
   * Refuse every token of an unprotected branch or tag (claim validation rule on `ref_protected`).
   * @default true on prod, false on sandbox and dev (TIER_RULES.gitlabCiProtectedRefsOnly)
   */
  readonly protectedRefsOnly?: boolean;
}

/** Prefix of every GitLab CI identity inside Kubernetes (user and groups). */
export const GITLAB_CI_PREFIX = "gitlab:";
/** Oldest Kubernetes minor whose API server takes the AuthenticationConfiguration file this library writes. */
export const STRUCTURED_AUTHENTICATION_MIN_MINOR = 32;

/** What an admission policy does with a violation: report it (PolicyReports) or refuse the object. */
export type AdmissionMode = "Audit" | "Enforce";
export const ADMISSION_MODES: readonly AdmissionMode[] = ["Audit", "Enforce"];

/** Kyverno ClusterPolicies the platform installs (lib/platform/kyverno-policies.ts), in tenant namespaces only. */
export const ADMISSION_POLICY_NAMES = [
  "mirror-images-only", "disallow-latest-tag", "require-requests-limits", "require-probes", "require-pdb", "require-topology-spread",
  "disallow-host-path-network", "protect-terraform-objects", "tenant-priority-class",
] as const;
export type AdmissionPolicyName = (typeof ADMISSION_POLICY_NAMES)[number];
/**
 * Policies that do not follow the environment's `mode`: protect-terraform-objects enforces on every tier (nothing but
 * Terraform may change what it owns, so there is no violation to learn from in Audit, only a namespace opened
 * meanwhile); tenant-priority-class mutates (a mode means nothing to it). Each still takes a per-policy setting.
 */
export const ADMISSION_POLICY_FIXED_MODE: Partial<Record<AdmissionPolicyName, AdmissionMode>> = { "protect-terraform-objects": "Enforce", "tenant-priority-class": "Enforce" };
/** One policy's setting: its mode, or "Off" (not installed). */
export type AdmissionPolicySetting = AdmissionMode | "Off";
const ADMISSION_POLICY_SETTINGS: readonly AdmissionPolicySetting[] = [...ADMISSION_MODES, "Off"];

/** Kyverno admission policies for tenant workloads (README, "Admission policies (Kyverno)"). */
export interface AdmissionPoliciesConfig {
  /**
   * Mode of every policy not named in `policies` (but protect-terraform-objects and tenant-priority-class, always on:
   * ADMISSION_POLICY_FIXED_MODE).
   * @default "Audit" on sandbox and dev, "Enforce" on prod (TIER_RULES.admissionMode)
   */
  readonly mode?: AdmissionMode;
  /**
   * Per-policy mode, or "Off", e.g. `{ "require-pdb": "Audit" }` while teams add their PodDisruptionBudgets.
   * @default every policy in `mode`
   */
  readonly policies?: Partial<Record<AdmissionPolicyName, AdmissionPolicySetting>>;
}

export interface SecurityConfig {
  /** @default the AuditLogConfig defaults; false turns the audit log off */
  readonly auditLog?: AuditLogConfig | false;
  /**
   * Secrets encrypted in etcd (EncryptionConfiguration, key generated by Terraform). Turning it off on a
   * running cluster needs the identity provider first: see README, "Encryption at rest".
   * @default true
   */
  readonly encryptionAtRest?: boolean;
  /**
   * Names of the Terraform-generated Secret encryption keys (`random_bytes` each), in EncryptionConfiguration
   * order: the first encrypts every write, the others only decrypt. Rotating means listing a new name last,
   * then first, then dropping the old one, with control-plane rebuilds between. "identity" as the first
   * entry writes Secrets unencrypted while every key still decrypts: the first step on a running cluster
   * (README, "Control plane hardening").
   * @default ["key1"]
   */
  readonly encryptionKeys?: readonly string[];
  /**
   * nftables on every node: metrics and control-plane ports reachable only from the node network.
   * @default true
   */
  readonly hostFirewall?: boolean;
  /**
   * Hours after which the next apply replaces the kubeadm join token; the token expires
   * JOIN_TOKEN_GRACE_HOURS later, so a saved plan stays applicable for that long.
   * @default 168 on sandbox, 72 on dev, 24 on prod
   */
  readonly joinTokenRotationHours?: number;
  /** @default enforce baseline, warn and audit restricted */
  readonly podSecurity?: PodSecurityDefaults;
  /**
   * NetworkPolicies in every platform namespace (deny by default, allow what each component needs). Turn
   * them on first in sandbox when upgrading a running site (README, "Network policies").
   * @default true
   */
  readonly networkPolicies?: boolean;
  /** @default no OIDC: people use the admin kubeconfig (break-glass) */
  readonly oidc?: OidcConfig;
  /** @default every policy, in the tier's mode (Audit on sandbox/dev, Enforce on prod) */
  readonly admissionPolicies?: AdmissionPoliciesConfig;
  /** @default GitLab CI tokens are not trusted (tenants' CI uses a ServiceAccount token) */
  readonly gitlabCi?: GitLabCiConfig;
}

/** What a join token outlives its rotation by: a plan saved just before the rotation is due stays applicable, and a node that boots from it joins. */
export const JOIN_TOKEN_GRACE_HOURS = 24;

/** Prefix of every OIDC user and group name inside Kubernetes: "oidc:alice@example.com", "oidc:platform-admins". */
export const OIDC_PREFIX = "oidc:";

const JOIN_TOKEN_ROTATION_HOURS: Readonly<Record<Tier, number>> = { sandbox: 168, dev: 72, prod: 24 };

/** Every control resolved: what the constructs read. */
export interface SecuritySettings {
  readonly auditLog: Required<AuditLogConfig> | undefined;
  readonly encryptionAtRest: boolean;
  /** Never empty; the first one encrypts. */
  readonly encryptionKeys: readonly string[];
  readonly hostFirewall: boolean;
  readonly joinTokenRotationHours: number;
  /** rotation + JOIN_TOKEN_GRACE_HOURS */
  readonly joinTokenTtlHours: number;
  readonly podSecurity: Required<PodSecurityDefaults>;
  readonly networkPolicies: boolean;
  readonly oidc: (Required<Omit<OidcConfig, "caPem" | "webClientId">> & Pick<OidcConfig, "caPem" | "webClientId">) | undefined;
  readonly gitlabCi: Required<Omit<GitLabCiConfig, "caPem">> & Pick<GitLabCiConfig, "caPem"> | undefined;
  /** Every admission policy's setting (the tier's mode unless configured). */
  readonly admissionPolicies: Readonly<Record<AdmissionPolicyName, AdmissionPolicySetting>>;
}

export function securitySettings(env: { readonly tier: Tier; readonly security?: SecurityConfig }): SecuritySettings {
  const s = env.security ?? {};
  const rotation = s.joinTokenRotationHours ?? JOIN_TOKEN_ROTATION_HOURS[env.tier];
  const oidc = s.oidc;
  return {
    auditLog: s.auditLog === false ? undefined : { maxAgeDays: 30, maxSizeMiB: 100, maxBackups: 10, ...s.auditLog },
    encryptionAtRest: s.encryptionAtRest ?? true,
    encryptionKeys: s.encryptionKeys ?? ["key1"],
    hostFirewall: s.hostFirewall ?? true,
    joinTokenRotationHours: rotation,
    joinTokenTtlHours: rotation + JOIN_TOKEN_GRACE_HOURS,
    podSecurity: { enforce: "baseline", warn: "restricted", audit: "restricted", ...s.podSecurity },
    networkPolicies: s.networkPolicies ?? true,
    oidc: oidc && {
      ...oidc,
      usernameClaim: oidc.usernameClaim ?? "email",
      groupsClaim: oidc.groupsClaim ?? "groups",
      adminGroups: oidc.adminGroups ?? [],
      viewerGroups: oidc.viewerGroups ?? [],
    },
    admissionPolicies: admissionPolicySettings(env.tier, s.admissionPolicies),
    gitlabCi: s.gitlabCi && { ...s.gitlabCi, protectedRefsOnly: s.gitlabCi.protectedRefsOnly ?? TIER_RULES[env.tier].gitlabCiProtectedRefsOnly },
  };
}

function admissionPolicySettings(tier: Tier, config: AdmissionPoliciesConfig | undefined): Record<AdmissionPolicyName, AdmissionPolicySetting> {
  const mode = config?.mode ?? TIER_RULES[tier].admissionMode;
  return Object.fromEntries(
    ADMISSION_POLICY_NAMES.map((name) => [name, config?.policies?.[name] ?? ADMISSION_POLICY_FIXED_MODE[name] ?? mode]),
  ) as Record<AdmissionPolicyName, AdmissionPolicySetting>;
}

/** Checks `env.security` (untyped input, inside validateEnvironment). */
export function validateSecurity(env: Input, root: string, problems: Problems): void {
  if (env.security === undefined) return;
  const path = `${root}.security`;
  const s = readObject(problems, env.security, path, FIELDS.security);
  if (!s) return;
  if (s.auditLog !== undefined && s.auditLog !== false) {
    const audit = readObject(problems, s.auditLog, `${path}.auditLog`, FIELDS.auditLog);
    if (audit) {
      readInteger(problems, audit, "maxAgeDays", `${path}.auditLog`, { min: 1, max: 3650, required: false });
      readInteger(problems, audit, "maxSizeMiB", `${path}.auditLog`, { min: 1, max: 10240, required: false });
      readInteger(problems, audit, "maxBackups", `${path}.auditLog`, { min: 1, max: 1000, required: false });
    }
  }
  for (const flag of ["encryptionAtRest", "hostFirewall", "networkPolicies"] as const) {
    if (s[flag] !== undefined && typeof s[flag] !== "boolean") problems.add(`${path}.${flag}`, `${show(s[flag])} must be true or false`);
  }
  checkEncryptionKeys(problems, s, path);
  readInteger(problems, s, "joinTokenRotationHours", path, { min: 1, max: 8760, required: false, why: "Terraform rotates the token on the first apply after this many hours" });
  if (s.podSecurity !== undefined) {
    const psa = readObject(problems, s.podSecurity, `${path}.podSecurity`, FIELDS.podSecurity);
    if (psa) for (const mode of FIELDS.podSecurity) readEnum(problems, psa, mode, `${path}.podSecurity`, POD_SECURITY_LEVELS, false);
  }
  if (s.oidc !== undefined) checkOidc(problems, s.oidc, `${path}.oidc`);
  if (s.admissionPolicies !== undefined) checkAdmissionPolicies(problems, s.admissionPolicies, `${path}.admissionPolicies`);
  if (s.gitlabCi !== undefined) checkGitLabCi(problems, s.gitlabCi, `${path}.gitlabCi`, env, s);
}

function checkHttpsIssuer(problems: Problems, issuer: string, path: string, example: string): void {
  let url: URL | undefined;
  try {
    url = new URL(issuer);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== "https:" || url.search !== "" || url.hash !== "") {
    problems.add(path, `${show(issuer)} must be an https URL without query or fragment, exactly the issuer's "issuer" (e.g. "${example}")`);
  }
}

function checkGitLabCi(problems: Problems, value: unknown, path: string, env: Input, s: Input): void {
  const gitlab = readObject(problems, value, path, FIELDS.gitlabCi);
  if (!gitlab) return;
  const issuer = readString(problems, gitlab, "issuerUrl", path);
  if (issuer !== undefined) {
    checkHttpsIssuer(problems, issuer, `${path}.issuerUrl`, "https://gitlab.example.internal");
    if (issuer.endsWith("/")) problems.add(`${path}.issuerUrl`, `${show(issuer)} ends with "/", which GitLab's "iss" claim never does; remove the trailing slash`);
    const oidc = s.oidc as Input | undefined;
    if (typeof oidc?.issuerUrl === "string" && oidc.issuerUrl === issuer) {
      problems.add(`${path}.issuerUrl`, `${show(issuer)} is also security.oidc.issuerUrl; the API server takes each issuer once: give GitLab's own URL`);
    }
  }
  const audience = readString(problems, gitlab, "audience", path);
  if (audience !== undefined && /[\s,]/.test(audience)) problems.add(`${path}.audience`, `${show(audience)} must be one audience without spaces or commas, e.g. "kubernetes-${String(env.name)}"`);
  const ca = readString(problems, gitlab, "caPem", path, false);
  if (ca !== undefined && !ca.includes("-----BEGIN CERTIFICATE-----")) problems.add(`${path}.caPem`, "must be a PEM certificate (-----BEGIN CERTIFICATE-----...)");
  if (gitlab.protectedRefsOnly !== undefined && typeof gitlab.protectedRefsOnly !== "boolean") problems.add(`${path}.protectedRefsOnly`, `${show(gitlab.protectedRefsOnly)} must be true or false`);
  const version = (env.kubernetes as Input | undefined)?.version;
  const minor = typeof version === "string" ? Number(/^\d+\.(\d+)\./.exec(version)?.[1]) : NaN;
  if (Number.isInteger(minor) && minor < STRUCTURED_AUTHENTICATION_MIN_MINOR) {
    problems.add(path, `needs the API server's structured authentication (Kubernetes 1.${STRUCTURED_AUTHENTICATION_MIN_MINOR}+ here), but kubernetes.version is ${show(version)}; upgrade first or remove gitlabCi`);
  }
}

function checkAdmissionPolicies(problems: Problems, value: unknown, path: string): void {
  const config = readObject(problems, value, path, FIELDS.admissionPolicies);
  if (!config) return;
  readEnum(problems, config, "mode", path, ADMISSION_MODES, false);
  if (config.policies === undefined) return;
  // Unknown names are reported with the list of known ones (readObject): a typo would silently keep the default.
  const policies = readObject(problems, config.policies, `${path}.policies`, ADMISSION_POLICY_NAMES);
  if (policies) for (const name of Object.keys(policies)) if (isAdmissionPolicyName(name)) readEnum(problems, policies, name, `${path}.policies`, ADMISSION_POLICY_SETTINGS, false);
}

function isAdmissionPolicyName(name: string): name is AdmissionPolicyName {
  return (ADMISSION_POLICY_NAMES as readonly string[]).includes(name);
}

/** A key name is a Terraform construct id and the EncryptionConfiguration key name. */
const KEY_NAME = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

function checkEncryptionKeys(problems: Problems, s: Input, path: string): void {
  const names = readStringList(problems, s, "encryptionKeys", path, false);
  if (names === undefined) return;
  if (names.length === 0) problems.add(`${path}.encryptionKeys`, 'must name at least one key, e.g. ["key1"] (the first one encrypts)');
  if (names.length > 0 && names.every((n) => n === "identity")) problems.add(`${path}.encryptionKeys`, 'must name at least one key besides "identity", e.g. ["identity", "key1"]');
  for (const [i, name] of names.entries()) {
    if (name === "identity" && i > 0) problems.add(`${path}.encryptionKeys[${i}]`, '"identity" may only come first (write unencrypted, read every key), e.g. ["identity", "key1"]');
    else if (!KEY_NAME.test(name)) problems.add(`${path}.encryptionKeys[${i}]`, `${show(name)} must be 1-32 lowercase letters, digits or dashes, e.g. "key2"`);
    else if (names.indexOf(name) !== i) problems.add(`${path}.encryptionKeys[${i}]`, `${show(name)} is listed twice: each key once, the encrypting one first`);
  }
}

const CLAIM = /^[A-Za-z0-9_:./-]+$/;

function checkOidc(problems: Problems, value: unknown, path: string): void {
  const oidc = readObject(problems, value, path, FIELDS.oidc);
  if (!oidc) return;
  const issuer = readString(problems, oidc, "issuerUrl", path);
  if (issuer !== undefined) checkHttpsIssuer(problems, issuer, `${path}.issuerUrl`, "https://sso.example.internal/realms/corp");
  for (const key of ["clientId", "webClientId"] as const) {
    const id = readString(problems, oidc, key, path, key === "clientId");
    if (id !== undefined && /\s/.test(id)) problems.add(`${path}.${key}`, `${show(id)} must not contain spaces`);
  }
  for (const key of ["usernameClaim", "groupsClaim"] as const) {
    const claim = readString(problems, oidc, key, path, false);
    if (claim !== undefined && !CLAIM.test(claim)) problems.add(`${path}.${key}`, `${show(claim)} is not a claim name (letters, digits, _ : . / -), e.g. "email"`);
  }
  const ca = readString(problems, oidc, "caPem", path, false);
  if (ca !== undefined && !ca.includes("-----BEGIN CERTIFICATE-----")) {
    problems.add(`${path}.caPem`, "must be a PEM certificate (-----BEGIN CERTIFICATE-----...)");
  }
  for (const key of ["adminGroups", "viewerGroups"] as const) {
    if (readArray(problems, oidc, key, path, false) === undefined) continue;
    for (const [i, group] of (readStringList(problems, oidc, key, path, false) ?? []).entries()) {
      if (/[\s,]/.test(group) || group.startsWith("system:")) {
        problems.add(`${path}.${key}[${i}]`, `${show(group)} must be a directory group name without spaces or commas, not a system: group`);
      }
    }
  }
}
