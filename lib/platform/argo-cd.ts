import { Password } from "@cdktf/provider-random/lib/password";
import { Fn, ITerraformDependable, TerraformOutput, TerraformVariable, Token } from "cdktf";
import { Construct } from "constructs";
import type { ImageField } from "./air-gap";
import { CHARTS } from "./chart-versions";
import { addonOverrides, type PlatformContext } from "./platform-context";
import { HelmAddon, SensitiveValue } from "./helm-addon";
import { deepMerge } from "./values";
import { ingressTlsAnnotations } from "./cert-manager";
import { INGRESS_CLASS, NAMESPACE, uiHost } from "./names";
import { terraformData } from "../cluster/terraform-data";
import { ARGOCD_CLIENT_SECRET_KEY, argoCdOidcConfig, argoCdRbacValues, type OidcSettings } from "./oidc-sso";

/** Every component image defaults to global.image.repository (their own `repository: ""`). */
export const ARGO_CD_IMAGES: readonly ImageField[] = [
  { kind: "ref", path: "global.image.repository", upstream: "quay.io/argoproj/argocd" },
  { kind: "ref", path: "dex.image.repository", upstream: "ghcr.io/dexidp/dex" },
  { kind: "ref", path: "redis.image.repository", upstream: "ecr-public.aws.com/docker/library/redis" },
  { kind: "ref", path: "redis.exporter.image.repository", upstream: "ghcr.io/oliver006/redis_exporter" },
  { kind: "ref", path: "redis-ha.image.repository", upstream: "ecr-public.aws.com/docker/library/redis" },
  { kind: "ref", path: "redis-ha.exporter.image", upstream: "ghcr.io/oliver006/redis_exporter" },
  { kind: "ref", path: "redis-ha.haproxy.image.repository", upstream: "ecr-public.aws.com/docker/library/haproxy" },
  { kind: "ref", path: "server.extensions.image.repository", upstream: "quay.io/argoprojlabs/argocd-extension-installer" },
];

/** Key of the GitOps repository in `configs.repositories` (becomes the Secret `argocd-repo-gitops`). */
export const GITOPS_REPOSITORY_KEY = "gitops";

export interface ArgoCdProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  /** Readiness gate, CNI, and the admin ingress (its UI is served there). */
  readonly dependsOn: readonly ITerraformDependable[];
  /**
   * The environment's OIDC issuer (`securitySettings(env).oidc`): Argo CD logs people in through it when it
   * has a `webClientId`, and maps its groups to role:admin / role:readonly.
   * @default the local admin only
   */
  readonly oidc?: OidcSettings;
  /**
   * Secret of `oidc.webClientId` (PeopleAccess.webClientSecret); required with a webClientId.
   * @default none
   */
  readonly oidcClientSecret?: string;
}

/** Argo CD single sign-on and RBAC, as a values layer and the set_sensitive entry of the client secret. */
function argoCdSso(props: ArgoCdProps): { values: Record<string, unknown>; sensitive: SensitiveValue[] } {
  const { oidc, oidcClientSecret } = props;
  if (oidc?.webClientId === undefined) return { values: {}, sensitive: [] };
  if (oidcClientSecret === undefined) throw new Error("ArgoCd: oidc.webClientId needs oidcClientSecret (PeopleAccess.webClientSecret)");
  return {
    values: { configs: { cm: { "oidc.config": argoCdOidcConfig({ ...oidc, webClientId: oidc.webClientId }) }, rbac: argoCdRbacValues(oidc) } },
    // argocd-secret's key has a dot: escaped for Helm's --set path.
    sensitive: [{ path: `configs.secret.extra.${ARGOCD_CLIENT_SECRET_KEY.replace(/\./g, "\\.")}`, value: oidcClientSecret }],
  };
}

/**
 * Argo CD configured as code. The admin password is generated (random_password); only its bcrypt hash
 * reaches the chart (set_sensitive `configs.secret.argocdServerAdminPassword`), the plain password is the
 * sensitive output `argocd_admin_password`. The Git password/token of the GitOps repository comes from
 * the sensitive variable `argocd_repo_password`. HA (redis-ha, 2 servers/repo servers/applicationset
 * controllers) on prod by default; redis-ha's hard anti-affinity needs 3 nodes, which prod has.
 */
export class ArgoCd extends Construct {
  readonly addon: HelmAddon;
  readonly adminPassword: Password;

  constructor(scope: Construct, id: string, props: ArgoCdProps) {
    super(scope, id);
    const { context } = props;
    const { gitops } = context.platform;
    const ha = context.platform.argocdHa ?? context.rules.argocdHa;
    const host = uiHost("argocd", context.platform.domain);

    // special: false keeps the password shell- and URL-safe; 32 alphanumerics are ~190 bits.
    this.adminPassword = new Password(this, "admin-password", { length: 32, special: false });
    const output = new TerraformOutput(this, "admin-password-output", {
      value: this.adminPassword.result,
      sensitive: true,
      description: `Argo CD admin password (user "admin") for https://${host}`,
    });
    output.overrideLogicalId("argocd_admin_password");

    // The chart stamps the password with the render time unless told, and Argo CD ends every session
    // older than that stamp: the time the password was created, kept until the password changes.
    const passwordTime = terraformData(this, "admin-password-mtime", {
      input: { time: Fn.timestamp() },
      // A bare address: Terraform's JSON syntax rejects "${...}" in replace_triggered_by.
      lifecycle: { ignoreChanges: ["input"], replaceTriggeredBy: [`${this.adminPassword.terraformResourceType}.${this.adminPassword.friendlyUniqueId}`] },
    });
    const passwordMtime = Token.asString(passwordTime.output.lookup("time"));
    const sensitive: SensitiveValue[] = [
      { path: "configs.secret.argocdServerAdminPassword", value: this.adminPassword.bcryptHash },
    ];
    if (gitops.username !== undefined) {
      const repoPassword = new TerraformVariable(this, "repo-password", {
        type: "string",
        sensitive: true,
        description: `Password/token of ${gitops.username} for ${gitops.repoURL}`,
      });
      repoPassword.overrideLogicalId("argocd_repo_password");
      sensitive.push({ path: `configs.repositories.${GITOPS_REPOSITORY_KEY}.password`, value: repoPassword.stringValue });
    }
    const repoHost = /^https:\/\/([^/:]+)/.exec(gitops.repoURL)?.[1];
    const sso = argoCdSso(props);
    sensitive.push(...sso.sensitive);

    this.addon = new HelmAddon(this, "helm", {
      releaseName: "argo-cd",
      chart: CHARTS.argoCd,
      namespace: NAMESPACE.argocd,
      mirror: context.mirror,
      defaults: {
        configs: {
          // TLS ends at the load balancer/Traefik; argocd-server must not redirect plain HTTP from Traefik.
          params: { "server.insecure": true },
          cm: { "admin.enabled": true },
        },
        dex: { enabled: false },
      },
      environment: deepMerge({
        global: { domain: host },
        configs: {
          secret: { argocdServerAdminPasswordMtime: passwordMtime },
          repositories: {
            [GITOPS_REPOSITORY_KEY]: {
              url: gitops.repoURL,
              type: "git",
              name: GITOPS_REPOSITORY_KEY,
              ...(gitops.username !== undefined ? { username: gitops.username } : {}),
            },
          },
          ...(gitops.caPem !== undefined && repoHost ? { tls: { certificates: { [repoHost]: gitops.caPem } } } : {}),
        },
        server: {
          replicas: ha ? 2 : 1,
          // tls: true renders the tls block for `hostname` with the chart's fixed secret `argocd-server-tls`,
          // which cert-manager fills (issuer annotation).
          ingress: {
            enabled: true,
            ingressClassName: INGRESS_CLASS.admin,
            hostname: host,
            annotations: ingressTlsAnnotations(context.platform, "admin"),
            tls: true,
          },
        },
        repoServer: { replicas: ha ? 2 : 1 },
        applicationSet: { replicas: ha ? 2 : 1 },
        // The application controller stays at 1: more replicas only help with sharding across clusters.
        "redis-ha": { enabled: ha },
        redis: { enabled: !ha },
      }, sso.values),
      images: ARGO_CD_IMAGES,
      overrides: addonOverrides(context, "argo-cd"),
      sensitive,
      timeoutSeconds: ha ? 900 : 600,
      dependsOn: props.dependsOn,
    });
  }
}
