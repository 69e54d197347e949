import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { tlsConfig } from "../config/platform";
import type { ValidatedEnvironment } from "../config/types";

/** Sensitive Terraform variables of the site CA (`TF_VAR_tls_site_ca_cert_pem`, `TF_VAR_tls_site_ca_key_pem`). */
export const SITE_CA_VARIABLES = { cert: "tls_site_ca_cert_pem", key: "tls_site_ca_key_pem" } as const;

/**
 * The CA behind every platform certificate (`platform.tls`), one construct per environment so that everything
 * trusting or signing with it reads the same values: cert-manager's `ca` ClusterIssuer signs with it, the blackbox
 * exporter and Velero verify against it, and the control-plane nodes' etcd snapshot upload trusts it for the
 * in-cluster object store (KubeadmCluster).
 * - issuer `ca` (the default): the sensitive variables SITE_CA_VARIABLES, declared here and nowhere else (a second
 *   declaration of the same name would collide in the stack);
 * - issuer `acme`: no variable; `platform.tls.caPem` when given, else nothing (the system trust stores).
 */
export class PlatformCa extends Construct {
  readonly issuer: "ca" | "acme";
  /**
   * PEM of the CA that signs the platform's certificates: a sensitive variable's token (`ca`), the configured
   * `platform.tls.caPem` (`acme`), or undefined (ACME trusted through the system stores).
   */
  readonly certPem?: string;
  /** PEM private key of the site CA (sensitive token; issuer `ca` only): the ClusterIssuer's Secret. */
  readonly keyPem?: string;

  constructor(scope: Construct, id: string, config: ValidatedEnvironment) {
    super(scope, id);
    const tls = tlsConfig(config.platform);
    this.issuer = tls.issuer;
    if (tls.issuer === "acme") {
      this.certPem = tls.caPem;
      return;
    }
    const variable = (name: string, description: string) => {
      const v = new TerraformVariable(this, name, { type: "string", sensitive: true, description });
      v.overrideLogicalId(name); // TF_VAR_<name> must be predictable
      return v.stringValue;
    };
    this.certPem = variable(SITE_CA_VARIABLES.cert, "PEM certificate of the site CA that signs the platform's TLS certificates");
    this.keyPem = variable(SITE_CA_VARIABLES.key, "PEM private key of the site CA (an intermediate CA for this environment is best)");
  }
}
