import type { EnvironmentConfig } from "../config/types";
import { securitySettings } from "../config/security";
import { ADMISSION_CONFIG_PATH, admissionConfigYaml } from "./admission-config";
import { AUDIT_LOG_DIR, AUDIT_LOG_PATH, AUDIT_POLICY_PATH, auditPolicyYaml } from "./audit-policy";
import { AUTHENTICATION_CONFIG_PATH, authenticationConfigYaml, OIDC_CA_PATH, oidcFlags, usesStructuredAuthentication } from "./authentication-config";
import { ENCRYPTION_CONFIG_PATH, type EncryptionKey, encryptionConfigYaml, encryptionKeyNames, IDENTITY_FIRST } from "./encryption-config";
import { encryptionKeyPlaceholder } from "./secrets";

/** A host path the API server static pod mounts (kubeadm `apiServer.extraVolumes`). */
export interface HostPathMount {
  readonly name: string;
  readonly hostPath: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
  readonly pathType: "File" | "DirectoryOrCreate";
}

/** What the API server gets beyond kubeadm's defaults. Pure config: no secrets (they live in the files). */
export interface ApiServerHardening {
  readonly args: Readonly<Record<string, string>>;
  readonly volumes: readonly HostPathMount[];
}

/** A file only control-plane nodes carry, next to the static pod that reads it. */
export interface ControlPlaneFile {
  readonly path: string;
  readonly content: string;
  readonly permissions: string;
}

/** Mounted at the same path inside the pod, read-only. */
const configFile = (name: string, path: string): HostPathMount => ({ name, hostPath: path, mountPath: path, readOnly: true, pathType: "File" });

/**
 * The API server flags and mounts `securitySettings(env)` asks for. The ClusterConfiguration carries
 * them, both in the init config and in the cluster's kubeadm-config ConfigMap (joins read that one).
 */
export function apiServerHardening(env: EnvironmentConfig): ApiServerHardening {
  const s = securitySettings(env);
  const args: Record<string, string> = { profiling: "false" };
  const volumes: HostPathMount[] = [];
  if (s.auditLog) {
    Object.assign(args, {
      "audit-policy-file": AUDIT_POLICY_PATH,
      "audit-log-path": AUDIT_LOG_PATH,
      "audit-log-maxage": String(s.auditLog.maxAgeDays),
      "audit-log-maxsize": String(s.auditLog.maxSizeMiB),
      "audit-log-maxbackup": String(s.auditLog.maxBackups),
    });
    volumes.push(configFile("audit-policy", AUDIT_POLICY_PATH));
    volumes.push({ name: "audit-log", hostPath: AUDIT_LOG_DIR, mountPath: AUDIT_LOG_DIR, readOnly: false, pathType: "DirectoryOrCreate" });
  }
  if (s.encryptionAtRest) {
    args["encryption-provider-config"] = ENCRYPTION_CONFIG_PATH;
    volumes.push(configFile("encryption-config", ENCRYPTION_CONFIG_PATH));
  }
  if (usesStructuredAuthentication(env.kubernetes.version)) {
    // Excludes --anonymous-auth and every --oidc-* flag: the file says both.
    args["authentication-config"] = AUTHENTICATION_CONFIG_PATH;
    volumes.push(configFile("authentication-config", AUTHENTICATION_CONFIG_PATH));
  } else if (s.oidc) {
    Object.assign(args, oidcFlags(s.oidc));
    if (s.oidc.caPem) volumes.push(configFile("oidc-ca", OIDC_CA_PATH));
  }
  args["admission-control-config-file"] = ADMISSION_CONFIG_PATH;
  volumes.push(configFile("admission-config", ADMISSION_CONFIG_PATH));
  return { args, volumes };
}

/**
 * The files behind those flags. Encryption keys are `keysB64[name]`, or their placeholder when absent
 * (KubeadmCluster swaps placeholders for the random_bytes results). 0600: CIS 1.1.x wants control-plane
 * configuration files readable by root only; the OIDC CA is public.
 */
export function controlPlaneFiles(env: EnvironmentConfig, keysB64: Readonly<Record<string, string>> = {}): ControlPlaneFile[] {
  const s = securitySettings(env);
  const files: ControlPlaneFile[] = [];
  const add = (path: string, content: string, permissions = "0600") => files.push({ path, content, permissions });
  if (s.auditLog) add(AUDIT_POLICY_PATH, auditPolicyYaml());
  if (s.encryptionAtRest) {
    const keys: EncryptionKey[] = encryptionKeyNames(s.encryptionKeys).map((name) => ({ name, secretB64: keysB64[name] ?? encryptionKeyPlaceholder(name) }));
    add(ENCRYPTION_CONFIG_PATH, encryptionConfigYaml(keys, s.encryptionKeys[0] === IDENTITY_FIRST));
  }
  if (usesStructuredAuthentication(env.kubernetes.version)) add(AUTHENTICATION_CONFIG_PATH, authenticationConfigYaml(env.kubernetes.version, s.oidc, s.gitlabCi));
  else if (s.oidc?.caPem) add(OIDC_CA_PATH, s.oidc.caPem, "0644");
  add(ADMISSION_CONFIG_PATH, admissionConfigYaml(s.podSecurity));
  return files;
}
