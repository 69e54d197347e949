import { REGENERATED_LABEL } from "../config/labels";
import { Construct } from "constructs";
import { Fn, type ITerraformDependable } from "cdktf";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { JOIN_TOKEN_GRACE_HOURS } from "../config/security";
import type { ClusterPki } from "./cluster-pki";

/** The Secret type the API server's bootstrap authenticator and the token-cleaner controller act on. */
export const BOOTSTRAP_TOKEN_SECRET_TYPE = "bootstrap.kubernetes.io/token";
/** The group kubeadm binds to node bootstrapping (CSR creation and auto-approval). */
export const BOOTSTRAP_TOKEN_GROUP = "system:bootstrappers:kubeadm:default-node-token";

export interface JoinTokenProps {
  /** The token's two halves and its rotation. */
  readonly pki: ClusterPki;
  /** The API readiness gate: the Secret is written once the API server answers. */
  readonly readiness: ITerraformDependable;
}

/**
 * The kubeadm join token in the cluster: a `bootstrap.kubernetes.io/token` Secret
 * `kube-system/bootstrap-token-<id>`, written by Terraform (kubeadm init never creates it). It expires
 * JOIN_TOKEN_GRACE_HOURS after its rotation time; the token-cleaner controller then deletes it, and the
 * next plan, which also rotates the token, creates the new one.
 *
 * A rotation changes the id, hence the name: Terraform replaces the Secret, deleting the old one first.
 * Not create_before_destroy: Terraform forces that onto everything the resource depends on, and through
 * the readiness gate that would be every VM (a rebuilt node created before its old VM is gone, same name
 * and IP). The few seconds without a Secret touch no node: those holding the old token lose it either
 * way, and the new token's nodes are created in the same apply and retry kubeadm join.
 */
export class JoinToken extends Construct {
  readonly secret: SecretV1;

  constructor(scope: Construct, id: string, props: JoinTokenProps) {
    super(scope, id);
    const { pki } = props;
    this.secret = new SecretV1(this, "secret", {
      // Regenerated: its data comes from the state, so the review gate lets a rotation replace it.
      metadata: { name: `bootstrap-token-${pki.bootstrapTokenId}`, namespace: "kube-system", labels: { ...REGENERATED_LABEL } },
      type: BOOTSTRAP_TOKEN_SECRET_TYPE,
      // `data` is sensitive in the provider schema; the secret half is a random_password result.
      data: {
        "token-id": pki.bootstrapTokenId,
        "token-secret": pki.bootstrapTokenSecret,
        expiration: Fn.timeadd(pki.bootstrapTokenRotation.rotationRfc3339, `${JOIN_TOKEN_GRACE_HOURS}h`),
        "usage-bootstrap-authentication": "true",
        "usage-bootstrap-signing": "true",
        "auth-extra-groups": BOOTSTRAP_TOKEN_GROUP,
        description: "Terraform-managed kubeadm join token, rotated by time_rotating (README: Join token)",
      },
      dependsOn: [props.readiness],
    });
  }
}
