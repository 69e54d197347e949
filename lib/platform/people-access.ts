import { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
import { ITerraformDependable, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { OIDC_PREFIX } from "../config/security";
import { OIDC_CLIENT_SECRET_VARIABLE, type OidcSettings } from "./oidc-sso";

/** Kubernetes' own ClusterRoles the directory groups are bound to. */
export const OIDC_CLUSTER_ROLES = { admin: "cluster-admin", viewer: "view" } as const;

/** ClusterRoleBinding names: one per role, every group of that role a subject. */
export const OIDC_BINDINGS = { admin: "oidc-admins", viewer: "oidc-viewers" } as const;

/** A directory group as the API server names it (it prefixes every OIDC group with OIDC_PREFIX). */
export function oidcGroupSubject(group: string): { kind: string; name: string; apiGroup: string } {
  return { kind: "Group", name: `${OIDC_PREFIX}${group}`, apiGroup: "rbac.authorization.k8s.io" };
}

export interface PeopleAccessProps {
  /** `securitySettings(env).oidc`. */
  readonly oidc: OidcSettings;
  /** The API readiness gate. */
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * What people get through the environment's OIDC issuer inside Kubernetes: `adminGroups` bound to
 * cluster-admin, `viewerGroups` to view (kubernetes provider, after the readiness gate), and, when Grafana and
 * Argo CD log people in too (`webClientId`), the sensitive variable `oidc_client_secret` they both read.
 */
export class PeopleAccess extends Construct {
  readonly bindings: ClusterRoleBindingV1[] = [];
  /** The web client's secret (a reference to the sensitive variable), when `webClientId` is set. */
  readonly webClientSecret?: string;

  constructor(scope: Construct, id: string, props: PeopleAccessProps) {
    super(scope, id);
    const { oidc } = props;
    for (const role of ["admin", "viewer"] as const) {
      const groups = role === "admin" ? oidc.adminGroups : oidc.viewerGroups;
      if (groups.length === 0) continue;
      this.bindings.push(
        new ClusterRoleBindingV1(this, `${role}-binding`, {
          metadata: { name: OIDC_BINDINGS[role], labels: { "app.kubernetes.io/managed-by": "terraform" } },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: OIDC_CLUSTER_ROLES[role] },
          subject: groups.map(oidcGroupSubject),
          dependsOn: [...props.dependsOn],
        }),
      );
    }
    if (oidc.webClientId !== undefined) {
      const secret = new TerraformVariable(this, "web-client-secret", {
        type: "string",
        sensitive: true,
        description: `Client secret of the OIDC client ${oidc.webClientId} (Grafana and Argo CD single sign-on)`,
      });
      secret.overrideLogicalId(OIDC_CLIENT_SECRET_VARIABLE); // TF_VAR_oidc_client_secret must be predictable
      this.webClientSecret = secret.stringValue;
    }
  }
}
