import { Password } from "@cdktf/provider-random/lib/password";
import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { objectStoreSettings, type ObjectStoreSettings } from "../config/backups";
import type { ValidatedEnvironment } from "../config/types";

/** The sensitive Terraform variables with an external object store's keys (TF_VAR_<name>). */
export const OBJECT_STORE_VARIABLES = {
  accessKeyId: "object_store_access_key_id",
  secretAccessKey: "object_store_secret_access_key",
} as const;

/**
 * The S3 keys every writer of the object store uses (etcd snapshots on the control-plane nodes, Velero, Loki),
 * one construct per environment so they all read the same two tokens:
 * - external store: the sensitive variables OBJECT_STORE_VARIABLES (the site's storage team issues the keys);
 * - in-cluster store: generated here (random_password, in state only) and given to Rook's CephObjectStoreUser,
 *   so Terraform knows them without reading anything back from the cluster.
 * Either way both are sensitive: they never reach a plan, a log or cdktf.out in clear.
 */
export class ObjectStoreCredentials extends Construct {
  readonly settings: ObjectStoreSettings;
  /** S3 access key id (sensitive token). */
  readonly accessKeyId: string;
  /** S3 secret access key (sensitive token). */
  readonly secretAccessKey: string;

  constructor(scope: Construct, id: string, config: ValidatedEnvironment) {
    super(scope, id);
    this.settings = objectStoreSettings(config);
    if (this.settings.kind === "external") {
      const variable = (name: string, description: string) => {
        const v = new TerraformVariable(this, name, { type: "string", sensitive: true, nullable: false, description });
        v.overrideLogicalId(name); // TF_VAR_<name> must be predictable
        return v.stringValue;
      };
      this.accessKeyId = variable(OBJECT_STORE_VARIABLES.accessKeyId, `S3 access key id for ${this.settings.endpoint} (etcd snapshots, Velero, Loki)`);
      this.secretAccessKey = variable(OBJECT_STORE_VARIABLES.secretAccessKey, `S3 secret access key for ${this.settings.endpoint}`);
    } else {
      // The shape of AWS-style keys (20 upper-case alphanumerics, 40 characters) that every S3 client accepts.
      this.accessKeyId = new Password(this, "access-key-id", { length: 20, special: false, lower: false }).result;
      this.secretAccessKey = new Password(this, "secret-access-key", { length: 40, special: false }).result;
    }
  }
}
