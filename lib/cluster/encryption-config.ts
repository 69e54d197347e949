import { toYaml } from "../config/yaml-text";

export const ENCRYPTION_CONFIG_PATH = "/etc/kubernetes/apiserver/encryption-config.yaml";

/**
 * In `security.encryptionKeys`, this name first means "write Secrets unencrypted, read every listed key":
 * the first step of turning encryption on in a running cluster, where API servers not yet rebuilt
 * cannot read what a rebuilt one encrypts (README, "Control plane hardening").
 */
export const IDENTITY_FIRST = "identity";

/** Names in `security.encryptionKeys` that are keys (not IDENTITY_FIRST): each a Terraform random_bytes. */
export function encryptionKeyNames(names: readonly string[]): string[] {
  return names.filter((n) => n !== IDENTITY_FIRST);
}

/** One Terraform-generated key: its name and its 32 bytes, base64 (a placeholder in reviewable files). */
export interface EncryptionKey {
  readonly name: string;
  readonly secretB64: string;
}

/**
 * EncryptionConfiguration (apiserver.config.k8s.io/v1) for Secrets. `secretbox` (XSalsa20-Poly1305) rather
 * than `aescbc`: upstream rates aescbc weak (padding-oracle prone, no authentication) and secretbox strong
 * and fast, with the same 32-byte key; aesgcm would need a key rotation every 200k writes, and KMS needs a
 * key service this air-gapped site does not have. The first key encrypts; every key decrypts. `identity`
 * last keeps Secrets written before encryption was turned on readable until they are rewritten.
 */
export function encryptionConfig(keys: readonly EncryptionKey[], identityFirst = false): Record<string, unknown> {
  if (keys.length === 0) throw new Error("encryptionConfig needs at least one key");
  const secretbox = { secretbox: { keys: keys.map((k) => ({ name: k.name, secret: k.secretB64 })) } };
  return {
    apiVersion: "apiserver.config.k8s.io/v1",
    kind: "EncryptionConfiguration",
    resources: [
      {
        resources: ["secrets"],
        providers: identityFirst ? [{ identity: {} }, secretbox] : [secretbox, { identity: {} }],
      },
    ],
  };
}

export function encryptionConfigYaml(keys: readonly EncryptionKey[], identityFirst = false): string {
  return toYaml(encryptionConfig(keys, identityFirst));
}
