/**
 * What a node's cloud-config needs that only exists after `terraform apply`: the join token and the
 * cluster PKI. Plain strings: Terraform expressions in the stack, visible placeholders for review.
 * PEM material is passed base64-encoded (`*B64`) and written with `encoding: b64`, so multi-line PEM
 * never has to survive YAML quoting.
 */
export interface ClusterSecrets {
  /** kubeadm join token `[a-z0-9]{6}.[a-z0-9]{16}`. Secret. */
  readonly bootstrapToken: string;
  /** Cluster CA certificate (public; every node pins it). */
  readonly caCertB64: string;
  /** Cluster CA private key. Secret; control-plane nodes only. */
  readonly caKeyB64: string;
  readonly frontProxyCaCertB64: string;
  /** Secret; control-plane nodes only. */
  readonly frontProxyCaKeyB64: string;
  readonly etcdCaCertB64: string;
  /** Secret; control-plane nodes only. */
  readonly etcdCaKeyB64: string;
  /** Service-account token signing key. Secret; control-plane nodes only. */
  readonly saKeyB64: string;
  readonly saPubB64: string;
  /**
   * Secret encryption keys by name (`security.encryptionKeys`), base64 of 32 random bytes. Secret;
   * control-plane nodes only, in /etc/kubernetes/apiserver/encryption-config.yaml (0600).
   * @default each key's placeholder, `<secret:encryption-key-NAME>` (KubeadmCluster swaps it for its random_bytes)
   */
  readonly encryptionKeysB64?: Readonly<Record<string, string>>;
  /**
   * The object store's S3 keys, base64 (etcd snapshots and their restore). Secret; control-plane nodes only,
   * in /etc/kubernetes/etcd-snapshot (0600).
   * @default OBJECT_STORE_KEY_PLACEHOLDERS (KubeadmCluster swaps them for the ObjectStoreCredentials tokens)
   */
  readonly objectStoreKeysB64?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /**
   * The site CA certificate, base64: what the etcd snapshot upload trusts for the in-cluster object store (issuer
   * `ca`). Public in itself, but Terraform's variable is sensitive, so it is handled like the secrets; control-plane
   * nodes only, in /etc/kubernetes/etcd-snapshot/s3-ca.crt.
   * @default SITE_CA_CERT_PLACEHOLDER (KubeadmCluster swaps it for PlatformCa's variable)
   */
  readonly siteCaCertB64?: string;
}

/** Placeholders of the object store's S3 keys in the rendered files. */
export const OBJECT_STORE_KEY_PLACEHOLDERS = {
  accessKeyId: "<secret:object-store-access-key-id>",
  secretAccessKey: "<secret:object-store-secret-access-key>",
} as const;

/** Placeholder of the site CA certificate (PlatformCa) in the rendered files. */
export const SITE_CA_CERT_PLACEHOLDER = "<secret:site-ca-cert>";

/** The fixed secrets (the encryption keys are named by config: encryptionKeyPlaceholder). */
export type SecretName = Exclude<keyof ClusterSecrets, "encryptionKeysB64" | "objectStoreKeysB64" | "siteCaCertB64">;

/** Which values are secrets (placeholder `<secret:...>`) and which are only unknown until apply (`<generated:...>`). */
const SECRET: Readonly<Record<SecretName, boolean>> = {
  bootstrapToken: true,
  caCertB64: false,
  caKeyB64: true,
  frontProxyCaCertB64: false,
  frontProxyCaKeyB64: true,
  etcdCaCertB64: false,
  etcdCaKeyB64: true,
  saKeyB64: true,
  saPubB64: false,
};

export const SECRET_NAMES = Object.keys(SECRET) as SecretName[];

function kebab(name: string): string {
  return name.replace(/B64$/, "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `<secret:bootstrap-token>`, `<generated:ca-cert>`, ... */
export function placeholderFor(name: SecretName): string {
  return `<${SECRET[name] ? "secret" : "generated"}:${kebab(name)}>`;
}

/** `<secret:encryption-key-key1>`: the placeholder of one Secret encryption key. */
export function encryptionKeyPlaceholder(name: string): string {
  return `<secret:encryption-key-${name}>`;
}

/** Visible placeholders: what the reviewable rendered files show instead of the values. */
export function placeholderSecrets(): ClusterSecrets {
  return Object.fromEntries(SECRET_NAMES.map((n) => [n, placeholderFor(n)])) as unknown as ClusterSecrets;
}

export function isSecret(name: SecretName): boolean {
  return SECRET[name];
}
