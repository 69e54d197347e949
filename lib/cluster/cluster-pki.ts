import { Construct } from "constructs";
import { Fn } from "cdktf";
import { PrivateKey } from "@cdktf/provider-tls/lib/private-key";
import { SelfSignedCert } from "@cdktf/provider-tls/lib/self-signed-cert";
import { CertRequest } from "@cdktf/provider-tls/lib/cert-request";
import { LocallySignedCert } from "@cdktf/provider-tls/lib/locally-signed-cert";
import { Bytes } from "@cdktf/provider-random/lib/bytes";
import { Password } from "@cdktf/provider-random/lib/password";
import { StringResource } from "@cdktf/provider-random/lib/string-resource";
import { Rotating } from "@cdktf/provider-time/lib/rotating";
import type { ClusterSecrets } from "./secrets";

/** The group kubeadm (>= 1.29) binds to cluster-admin; unlike system:masters it can be revoked by RBAC. */
export const ADMIN_GROUP = "kubeadm:cluster-admins";

export interface ClusterPkiProps {
  /** Environment name, used in certificate subjects. */
  readonly environment: string;
  /**
   * Lifetime of the CAs. Replacing a CA replaces every credential of the cluster: keep it long.
   * @default 87600 (10 years, kubeadm's default)
   */
  readonly caValidityHours?: number;
  /**
   * Lifetime of Terraform's admin client certificate; renewed by Terraform 30 days before expiry.
   * @default 8760 (1 year)
   */
  readonly adminCertValidityHours?: number;
  /**
   * Hours after which the next apply generates a new join token (`securitySettings(env).joinTokenRotationHours`).
   * @default 24
   */
  readonly joinTokenRotationHours?: number;
  /**
   * Names of the Secret encryption keys to generate (`security.encryptionKeys`), each a `random_bytes`
   * `encryption-key-<name>`. Removing a name destroys its key: only after every Secret was rewritten.
   * @default [] (no encryption at rest)
   */
  readonly encryptionKeys?: readonly string[];
}

/**
 * The cluster's PKI, owned by Terraform: the cluster CA, the front-proxy and etcd CAs, the
 * service-account signing key, Terraform's admin client certificate and the kubeadm join token (rotated:
 * see JoinToken, which writes it into the cluster).
 * Everything is in the Terraform state (the state holds the CA keys: whoever reads the state owns
 * the cluster; protect the backend accordingly). Control-plane nodes receive the CAs at first boot,
 * so no node ever needs kubeadm's short-lived certificate upload.
 */
export class ClusterPki extends Construct {
  /** PEM of the cluster CA (public). */
  readonly caCertPem: string;
  /** RFC 3339 end of the cluster CA's validity (known after apply; `certificates.clusterCaNotAfter` takes its date). */
  readonly caNotAfter: string;
  readonly adminCertPem: string;
  /** Sensitive. */
  readonly adminKeyPem: string;
  /** Sensitive. `[a-z0-9]{6}.[a-z0-9]{16}` */
  readonly bootstrapToken: string;
  /** The public half of the token (`bootstrap-token-<id>`). */
  readonly bootstrapTokenId: string;
  /** Sensitive. */
  readonly bootstrapTokenSecret: string;
  /** time_rotating: replaced on the first apply after its rotation time, and the token with it. */
  readonly bootstrapTokenRotation: Rotating;
  /** Secret encryption keys by name: base64 of 32 random bytes (sensitive). */
  readonly encryptionKeysB64: Readonly<Record<string, string>>;
  /** The material node cloud-configs carry, as Terraform expressions. */
  readonly secrets: ClusterSecrets;

  constructor(scope: Construct, id: string, props: ClusterPkiProps) {
    super(scope, id);
    const caHours = props.caValidityHours ?? 87600;
    const ca = (name: string, commonName: string) => {
      const key = new PrivateKey(this, `${name}-key`, { algorithm: "RSA", rsaBits: 2048 });
      const cert = new SelfSignedCert(this, `${name}-cert`, {
        privateKeyPem: key.privateKeyPem,
        subject: [{ commonName, organizationalUnit: props.environment }],
        isCaCertificate: true,
        validityPeriodHours: caHours,
        allowedUses: ["cert_signing", "crl_signing", "digital_signature", "key_encipherment"],
      });
      return { key, cert };
    };
    // Common names as kubeadm would generate them.
    const cluster = ca("ca", "kubernetes");
    const frontProxy = ca("front-proxy-ca", "front-proxy-ca");
    const etcd = ca("etcd-ca", "etcd-ca");
    const sa = new PrivateKey(this, "sa-key", { algorithm: "RSA", rsaBits: 2048 });

    const adminKey = new PrivateKey(this, "admin-key", { algorithm: "RSA", rsaBits: 2048 });
    const adminCsr = new CertRequest(this, "admin-csr", {
      privateKeyPem: adminKey.privateKeyPem,
      subject: [{ commonName: `terraform-${props.environment}`, organization: ADMIN_GROUP }],
    });
    const admin = new LocallySignedCert(this, "admin-cert", {
      certRequestPem: adminCsr.certRequestPem,
      caPrivateKeyPem: cluster.key.privateKeyPem,
      caCertPem: cluster.cert.certPem,
      validityPeriodHours: props.adminCertValidityHours ?? 8760,
      earlyRenewalHours: 720,
      allowedUses: ["digital_signature", "key_encipherment", "client_auth"],
    });

    // kubeadm's token format: 6 + 16 characters of [a-z0-9]. The id is public (kubeadm token list);
    // the secret part is a random_password, whose result Terraform treats as sensitive. The provider
    // drops an expired time_rotating from the state at refresh, so the plan creates a new one and the
    // keeper replaces both halves: a new token on the first apply after the rotation time.
    this.bootstrapTokenRotation = new Rotating(this, "bootstrap-token-rotation", { rotationHours: props.joinTokenRotationHours ?? 24 });
    const keepers = { rotation: this.bootstrapTokenRotation.id };
    const charset = { lower: true, numeric: true, upper: false, special: false } as const;
    const tokenId = new StringResource(this, "bootstrap-token-id", { length: 6, ...charset, keepers });
    const tokenSecret = new Password(this, "bootstrap-token-secret", { length: 16, ...charset, keepers });

    // 32 bytes: what secretbox (and aescbc) require. random_bytes keeps its base64 result sensitive.
    this.encryptionKeysB64 = Object.fromEntries(
      (props.encryptionKeys ?? []).map((name) => [name, new Bytes(this, `encryption-key-${name}`, { length: 32 }).base64]),
    );

    this.caCertPem = cluster.cert.certPem;
    this.caNotAfter = cluster.cert.validityEndTime;
    this.adminCertPem = admin.certPem;
    this.adminKeyPem = adminKey.privateKeyPem;
    // Fn.join, not a template string: cdktf warns (loudly) about `${}` inside function arguments.
    this.bootstrapToken = Fn.join(".", [tokenId.result, tokenSecret.result]);
    this.bootstrapTokenId = tokenId.result;
    this.bootstrapTokenSecret = tokenSecret.result;
    const b64 = (pem: string) => Fn.base64encode(pem);
    this.secrets = {
      bootstrapToken: this.bootstrapToken,
      caCertB64: b64(cluster.cert.certPem),
      caKeyB64: b64(cluster.key.privateKeyPem),
      frontProxyCaCertB64: b64(frontProxy.cert.certPem),
      frontProxyCaKeyB64: b64(frontProxy.key.privateKeyPem),
      etcdCaCertB64: b64(etcd.cert.certPem),
      etcdCaKeyB64: b64(etcd.key.privateKeyPem),
      saKeyB64: b64(sa.privateKeyPem),
      saPubB64: b64(sa.publicKeyPem),
      encryptionKeysB64: this.encryptionKeysB64,
    };
  }
}
