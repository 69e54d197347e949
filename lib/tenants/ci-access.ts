import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { TokenRequestV1 } from "@cdktf/provider-kubernetes/lib/token-request-v1";
import { Rotating } from "@cdktf/provider-time/lib/rotating";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { terraformData } from "../cluster/terraform-data";
import { CI_BINDING, CI_SERVICE_ACCOUNT, TENANT_ROLES } from "./tenant-objects";

export interface CiAccessProps {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Lifetime of the token (`tenants[].ci.tokenHours`). */
  readonly tokenHours: number;
  /** The stage's namespace. */
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * A stage's CI identity: the ServiceAccount `ci` with `edit` in this namespace only, and a bound token from the
 * TokenRequest API (expires after `tokenHours`; never a long-lived token Secret). A TokenRequest is created once
 * and never refreshed by Terraform, so a time_rotating of half the lifetime renews it: the first apply after half
 * the lifetime writes a new token into the kubeconfig output, and the old one stays valid until it expires.
 *
 * Not `replace_triggered_by = [time_rotating]` directly: a due time_rotating is removed from the state on refresh
 * and planned as a create, which replace_triggered_by ignores (it fires on update and replace only; real Terraform
 * shows it, __tests__/behaviour/tenants/ci-token-plan.test.ts). A `terraform_data` keeper whose `triggers_replace` is the
 * rotation's id is replaced whenever a new rotation is created, and that replacement triggers the token's.
 */
export class CiAccess extends Construct {
  readonly serviceAccount: ServiceAccountV1;
  readonly token: TokenRequestV1;

  constructor(scope: Construct, id: string, props: CiAccessProps) {
    super(scope, id);
    const metadata = { name: CI_SERVICE_ACCOUNT, namespace: props.namespace, labels: { ...props.labels } };
    this.serviceAccount = new ServiceAccountV1(this, "service-account", { metadata, dependsOn: [...props.dependsOn] });
    new RoleBindingV1(this, "binding", {
      metadata: { ...metadata, name: CI_BINDING },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: TENANT_ROLES.edit },
      subject: [{ kind: "ServiceAccount", name: CI_SERVICE_ACCOUNT, namespace: props.namespace }],
      dependsOn: [this.serviceAccount],
    });
    const rotation = new Rotating(this, "rotation", { rotationHours: Math.max(1, Math.floor(props.tokenHours / 2)) });
    const keeper = terraformData(this, "renewal", { triggersReplace: { rotation: rotation.id } });
    this.token = new TokenRequestV1(this, "token", {
      metadata: { name: CI_SERVICE_ACCOUNT, namespace: props.namespace },
      spec: { expirationSeconds: props.tokenHours * 3600 },
      dependsOn: [this.serviceAccount],
      lifecycle: { replaceTriggeredBy: [`${keeper.terraformResourceType}.${keeper.friendlyUniqueId}`] },
    });
  }
}
