import { REGENERATED_LABEL } from "../config/labels";
import { Password } from "@cdktf/provider-random/lib/password";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { ITerraformDependable, TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { INGRESS_CLASS, NAMESPACE } from "./names";

/**
 * Prometheus and Alertmanager have no login of their own: Traefik's basicAuth Middleware guards their
 * Ingresses (Grafana and Argo CD log people in themselves).
 */

/** The one user of the admin UIs' basic auth. */
export const ADMIN_UI_USER = "admin";
/** The Middleware, in the UIs' namespace (Traefik looks a Middleware up in the Ingress's namespace). */
export const ADMIN_UI_MIDDLEWARE = "admin-ui-auth";
/** Secret with the htpasswd line Traefik reads (key `users`: Traefik wants exactly one key in it). */
export const ADMIN_UI_HTPASSWD_SECRET = "admin-ui-htpasswd";
/** Secret with the plain password, for the blackbox exporter's probes of the guarded UIs (key `password`). */
export const ADMIN_UI_PROBE_SECRET = "admin-ui-probe-credential";

/**
 * Label of a Secret whose data Terraform writes from its state: the review gate lets it be replaced or deleted
 * (lib/review's REGENERATED_SECRET_LABEL, kept equal by a test); any other Secret's deletion is refused.
 */

/** The Ingress annotation that puts the Middleware in front of a router (`<namespace>-<name>@kubernetescrd`). */
export function adminUiAuthAnnotations(): Record<string, string> {
  return { "traefik.ingress.kubernetes.io/router.middlewares": `${NAMESPACE.monitoring}-${ADMIN_UI_MIDDLEWARE}@kubernetescrd` };
}

/** The basicAuth Middleware (traefik.io/v1alpha1), rendered by kube-prometheus-stack's extraManifests. */
export function adminUiMiddleware(environment: string): Record<string, unknown> {
  return {
    apiVersion: "traefik.io/v1alpha1",
    kind: "Middleware",
    metadata: {
      name: ADMIN_UI_MIDDLEWARE,
      namespace: NAMESPACE.monitoring,
      // Traefik's CRD provider is limited to its ingress class (traefik.ts): the admin instance must see it.
      annotations: { "kubernetes.io/ingress.class": INGRESS_CLASS.admin },
    },
    spec: {
      basicAuth: {
        secret: ADMIN_UI_HTPASSWD_SECRET,
        realm: `${environment} platform`,
        // Prometheus and Alertmanager never see the credential.
        removeHeader: true,
      },
    },
  };
}

export interface AdminUiAuthProps {
  readonly environment: string;
  /** Must include the monitoring namespace (PlatformNamespaces). */
  readonly dependsOn: readonly ITerraformDependable[];
  /** Hostnames of the guarded UIs, for the output's description. */
  readonly hosts: readonly string[];
}

/**
 * The credential of the guarded UIs: a random_password whose `bcrypt_hash` attribute (computed once and
 * kept in the state; Terraform's bcrypt() would salt anew at every plan, a perpetual diff) becomes the
 * htpasswd line in a Secret; the plain password is the sensitive output `admin_ui_password` and a second
 * Secret the probes read. Both Secrets are kubernetes_secret_v1 (data is sensitive in the provider).
 */
export class AdminUiAuth extends Construct {
  readonly password: Password;
  readonly htpasswd: SecretV1;
  readonly probeCredential: SecretV1;

  constructor(scope: Construct, id: string, props: AdminUiAuthProps) {
    super(scope, id);
    // special: false keeps the password shell- and URL-safe; 32 alphanumerics are ~190 bits.
    this.password = new Password(this, "password", { length: 32, special: false });
    new TerraformOutput(this, "password-output", {
      value: this.password.result,
      sensitive: true,
      description: `Password of user "${ADMIN_UI_USER}" for ${props.hosts.join(" and ")} (Traefik basic auth)`,
    }).overrideLogicalId("admin_ui_password");

    const secret = (id: string, name: string, data: Record<string, string>) =>
      new SecretV1(this, id, {
        metadata: { name, namespace: NAMESPACE.monitoring, labels: { "app.kubernetes.io/part-of": "admin-ui-auth", ...REGENERATED_LABEL } },
        type: "Opaque",
        data,
        dependsOn: [...props.dependsOn],
      });
    this.htpasswd = secret("htpasswd", ADMIN_UI_HTPASSWD_SECRET, { users: `${ADMIN_UI_USER}:${this.password.bcryptHash}` });
    this.probeCredential = secret("probe-credential", ADMIN_UI_PROBE_SECRET, { password: this.password.result });
  }
}
