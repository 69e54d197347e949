import { AppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import { Probe } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Probe";
import { parse } from "yaml";
import { ConfigError } from "../../lib/config/problems";
import { validateEnvironment } from "../../lib/config/validate";
import { ADMIN_UI_HTPASSWD_SECRET, ADMIN_UI_MIDDLEWARE, ADMIN_UI_PROBE_SECRET } from "../../lib/platform/admin-ui-auth";
import { REGENERATED_LABEL, REGENERATED_SECRET_LABEL } from "../../lib/config/labels";
import { WORKLOAD_RESOURCES, lockedDefaultProject } from "../../lib/platform/argocd-apps";
import { GUARDED_PROBE_MODULE, PROBE_PASSWORD_FILE } from "../../lib/platform/blackbox-exporter";
import { GRAFANA_CLIENT_SECRET_ENV, GRAFANA_OIDC_CA_FILE, grafanaRoleAttributePath } from "../../lib/platform/oidc-sso";
import { deepMerge } from "../../lib/platform/values";
import { judge } from "../../lib/review/blast-radius";
import { KNOWN_TYPES } from "../../lib/review/blast-radius-rules";
import type { PlannedChange } from "../../lib/review/planned-change";
import { environment, OIDC, OIDC_CA } from "./fixtures";
import { sensitiveSource, synthPlatform } from "./synth";
import { upstreamValues } from "./upstream";

const plain = synthPlatform(environment("prod"));
const sso = synthPlatform(environment("prod", { oidc: OIDC }));
/** kubectl-only OIDC: no web client, no groups. */
const kubectlOnly = synthPlatform(environment("sandbox", { oidc: { issuerUrl: OIDC.issuerUrl, clientId: OIDC.clientId } }));

/** Resources of one type by construct path below the platform ("people/admin-binding"), from their logical ids. */
const byPath = (json: any, type: string): Record<string, any> =>
  Object.fromEntries(Object.entries<any>(json.resource?.[type] ?? {}).map(([id, r]) => [id.replace(/^platform_/, "").replace(/_[0-9A-F]{8}$/, "").replace(/_/g, "/"), r]));

describe("Argo CD: the default project is locked", () => {
  const release = plain.releases["argocd-default-project"];

  it("a raw-chart release that adopts argocd-server's object (take_ownership) and keeps it on uninstall", () => {
    expect(release).toMatchObject({ chart: "raw", namespace: "argocd" });
    expect(release.raw.take_ownership).toBe(true);
    const [project] = (release.values as any).resources;
    expect(project).toEqual(lockedDefaultProject());
    expect(project.metadata).toMatchObject({ name: "default", annotations: { "helm.sh/resource-policy": "keep" } });
    expect(() => new AppProject(project).validate()).not.toThrow();
  });

  it("no source, destination or kind, written out as empty lists (a left-out list would keep argocd-server's '*')", () => {
    const { spec } = (release.values as any).resources[0];
    for (const list of ["sourceRepos", "destinations", "clusterResourceWhitelist", "namespaceResourceWhitelist"]) expect([list, spec[list]]).toEqual([list, []]);
  });

  it("is applied after the argo-cd release (argocd-server creates the object)", () => {
    expect(release.dependsOn).toContain(`helm_release.${plain.releases["argo-cd"].address}`);
  });
});

describe("Argo CD: the environment's project allows workload kinds only", () => {
  const projectOf = (r: typeof plain) => (r.releases["argocd-apps"].values as any).projects.prod;

  it("namespaceResourceWhitelist is WORKLOAD_RESOURCES; no quota or limit objects; the project validates", () => {
    const project = projectOf(plain);
    expect(project.namespaceResourceWhitelist).toEqual(WORKLOAD_RESOURCES);
    const kinds = project.namespaceResourceWhitelist.map((k: any) => k.kind);
    expect(kinds).toEqual(expect.arrayContaining(["Deployment", "Service", "Ingress", "RoleBinding", "ServiceMonitor"]));
    expect(kinds).not.toEqual(expect.arrayContaining(["ResourceQuota"]));
    expect(kinds).not.toContain("LimitRange");
    expect(project.namespaceResourceWhitelist.every((k: any) => k.group !== "*" && k.kind !== "*")).toBe(true);
    const { namespace, finalizers, ...spec } = project;
    expect(() => new AppProject({ metadata: { name: "prod", namespace, finalizers }, spec } as any).validate()).not.toThrow();
  });

  it("gitops.extraNamespaceResources adds kinds (Kind.group; a bare Kind is the core group)", () => {
    const env = environment("prod");
    const extra = synthPlatform({ ...env, platform: { ...env.platform, gitops: { ...env.platform.gitops, extraNamespaceResources: ["KafkaTopic.kafka.strimzi.io", "LimitRange"] } } });
    expect(projectOf(extra).namespaceResourceWhitelist.slice(-2)).toEqual([{ group: "kafka.strimzi.io", kind: "KafkaTopic" }, { group: "", kind: "LimitRange" }]);
  });

  it("refuses a kind that is not Kind.group, naming env, field, value and the fix", () => {
    const env = environment("prod");
    const bad = { ...env, platform: { ...env.platform, gitops: { ...env.platform.gitops, extraNamespaceResources: ["kafkatopics"] } } };
    expect(() => validateEnvironment(bad)).toThrow(ConfigError);
    expect(() => validateEnvironment(bad)).toThrow('prod.platform.gitops.extraNamespaceResources[0]: "kafkatopics" is not Kind.group (e.g. "KafkaTopic.kafka.strimzi.io", or "ConfigMap" for the core group)');
  });
});

describe("Prometheus and Alertmanager behind Traefik basic auth", () => {
  const kps = plain.releases["kube-prometheus-stack"].values as any;
  const blackbox = plain.releases["prometheus-blackbox-exporter"];
  const secrets = byPath(plain.json, "kubernetes_secret_v1");
  const passwords = byPath(plain.json, "random_password");

  it("both Ingresses name the Middleware, which the release renders in their namespace from the htpasswd Secret", () => {
    for (const app of ["prometheus", "alertmanager"]) {
      expect(kps[app].ingress.annotations["traefik.ingress.kubernetes.io/router.middlewares"]).toBe(`monitoring-${ADMIN_UI_MIDDLEWARE}@kubernetescrd`);
    }
    expect(kps.grafana.ingress.annotations?.["traefik.ingress.kubernetes.io/router.middlewares"]).toBeUndefined();
    const middleware = kps.extraManifests.find((m: any) => m.kind === "Middleware");
    expect(middleware).toMatchObject({
      apiVersion: "traefik.io/v1alpha1",
      metadata: { name: ADMIN_UI_MIDDLEWARE, namespace: "monitoring", annotations: { "kubernetes.io/ingress.class": "admin" } },
      spec: { basicAuth: { secret: ADMIN_UI_HTPASSWD_SECRET, removeHeader: true } },
    });
  });

  it("the credential: random_password's bcrypt_hash in a single-key htpasswd Secret (never Terraform's bcrypt(), which re-salts every plan)", () => {
    const htpasswd = secrets["kube-prometheus-stack/ui-auth/htpasswd"];
    expect(htpasswd.metadata).toMatchObject({ name: ADMIN_UI_HTPASSWD_SECRET, namespace: "monitoring" });
    expect(Object.keys(htpasswd.data)).toEqual(["users"]);
    const [, password] = /^admin:\$\{random_password\.([^.]+)\.bcrypt_hash\}$/.exec(htpasswd.data.users) ?? [];
    expect(password).toBeDefined();
    expect(passwords["kube-prometheus-stack/ui-auth/password"]).toMatchObject({ length: 32, special: false });
    expect(JSON.stringify(plain.json)).not.toMatch(/bcrypt\(/);
    expect(plain.json.output.admin_ui_password).toEqual(expect.objectContaining({ sensitive: true, value: `\${random_password.${password}.result}` }));
    // In the Terraform-owned namespace, before the release: the guarded routes never exist without the Secret.
    expect(htpasswd.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^kubernetes_namespace_v1\.platform_namespaces_monitoring_/)]));
    expect(htpasswd.depends_on.join(" ")).not.toContain("kube-prometheus-stack");
    expect(plain.releases["kube-prometheus-stack"].dependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^kubernetes_secret_v1\..*htpasswd/)]));
  });

  it("the probes of the guarded UIs log in: own module with basic_auth from the mounted probe Secret, 2xx expected", () => {
    const v = blackbox.values as any;
    const probes = v.extraManifests.filter((m: any) => m.kind === "Probe");
    for (const p of probes) expect(() => new Probe(p).validate()).not.toThrow();
    const guarded = probes.find((p: any) => p.spec.module === GUARDED_PROBE_MODULE);
    const open = probes.find((p: any) => p.spec.module === "http_2xx");
    expect(guarded.spec.targets.staticConfig.static).toEqual(["https://prometheus.prod.k8s.example.internal/", "https://alertmanager.prod.k8s.example.internal/"]);
    expect(open.spec.targets.staticConfig.static).not.toEqual(expect.arrayContaining(guarded.spec.targets.staticConfig.static));
    const modules = (deepMerge(upstreamValues("prometheus-blackbox-exporter"), v).config as any).modules;
    // Same as the chart's http_2xx (valid codes default to 2xx) plus the credential and the site CA.
    const { basic_auth, tls_config, ...http } = modules[GUARDED_PROBE_MODULE].http;
    expect({ ...modules[GUARDED_PROBE_MODULE], http }).toEqual({ ...modules.http_2xx, http: { ...modules.http_2xx.http, tls_config: undefined } });
    expect(basic_auth).toEqual({ username: "admin", password_file: PROBE_PASSWORD_FILE });
    expect(tls_config).toEqual(modules.http_2xx.http.tls_config);
    const mount = v.extraSecretMounts.find((m: any) => m.secretName === ADMIN_UI_PROBE_SECRET);
    expect(`${mount.mountPath}/password`).toBe(PROBE_PASSWORD_FILE);
    const probeSecret = secrets["kube-prometheus-stack/ui-auth/probe-credential"];
    expect(probeSecret.data).toEqual({ password: expect.stringMatching(/^\$\{random_password\.[^.]+\.result\}$/) });
    expect(blackbox.dependsOn).toContain(`kubernetes_secret_v1.${Object.keys(plain.json.resource.kubernetes_secret_v1).find((k) => k.includes("probe-credential"))}`);
    expect(blackbox.valuesYaml).not.toMatch(/random_password|password:/);
  });
});

describe("OIDC: directory groups in Kubernetes", () => {
  const bindings = byPath(sso.json, "kubernetes_cluster_role_binding_v1");

  it("admin groups -> cluster-admin, viewer groups -> view, as oidc:<group>, after the readiness gate", () => {
    expect(Object.keys(bindings).sort()).toEqual(["people/admin-binding", "people/viewer-binding"]);
    const subjects = (b: any) => b.subject.map((s: any) => [s.kind, s.name, s.api_group]);
    expect(bindings["people/admin-binding"].role_ref).toEqual({ api_group: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" });
    expect(subjects(bindings["people/admin-binding"])).toEqual([["Group", "oidc:platform-admins", "rbac.authorization.k8s.io"], ["Group", "oidc:sre", "rbac.authorization.k8s.io"]]);
    expect(bindings["people/viewer-binding"].role_ref.name).toBe("view");
    expect(subjects(bindings["people/viewer-binding"])).toEqual([["Group", "oidc:developers", "rbac.authorization.k8s.io"]]);
    for (const b of Object.values(bindings)) expect(b.depends_on).toEqual(["null_resource.api-ready"]);
  });

  it("no groups, no binding; no OIDC, nothing at all", () => {
    expect(kubectlOnly.json.resource.kubernetes_cluster_role_binding_v1).toBeUndefined();
    expect(plain.json.resource.kubernetes_cluster_role_binding_v1).toBeUndefined();
  });

  it("oidc_client_secret is a sensitive variable, declared only with a webClientId", () => {
    expect(sso.json.variable.oidc_client_secret).toMatchObject({ type: "string", sensitive: true });
    expect(kubectlOnly.json.variable?.oidc_client_secret).toBeUndefined();
    expect(plain.json.variable?.oidc_client_secret).toBeUndefined();
  });
});

describe("OIDC: Grafana single sign-on", () => {
  const release = sso.releases["kube-prometheus-stack"];
  const grafana = (release.values as any).grafana;
  const oauth = grafana["grafana.ini"]["auth.generic_oauth"];

  it("generic_oauth against the issuer (Keycloak endpoints), the web client, PKCE, the issuer's CA", () => {
    expect(oauth).toMatchObject({
      enabled: true,
      client_id: "platform-uis",
      scopes: "openid profile email groups",
      auth_url: "https://sso.example.internal/realms/corp/protocol/openid-connect/auth",
      token_url: "https://sso.example.internal/realms/corp/protocol/openid-connect/token",
      api_url: "https://sso.example.internal/realms/corp/protocol/openid-connect/userinfo",
      use_pkce: true,
      allow_sign_up: true,
      role_attribute_strict: true,
      tls_client_ca: GRAFANA_OIDC_CA_FILE,
    });
    expect(grafana["grafana.ini"].server.root_url).toBe("https://grafana.prod.k8s.example.internal/");
    const ca = (release.values as any).extraManifests.find((m: any) => m.kind === "ConfigMap");
    expect(ca.data["ca.crt"]).toBe(OIDC_CA);
    const mount = grafana.extraConfigmapMounts[0];
    expect([`${mount.mountPath}/ca.crt`, mount.configMap]).toEqual([GRAFANA_OIDC_CA_FILE, ca.metadata.name]);
  });

  it("the client secret only through set_sensitive into the chart's env Secret; never in grafana.ini (assertNoLeakedSecrets)", () => {
    const s = release.setSensitive.find((x) => x.name === `grafana.envRenderSecret.${GRAFANA_CLIENT_SECRET_ENV}`);
    expect(sensitiveSource(s!.value)).toBe("var.oidc_client_secret");
    expect(oauth.client_secret).toBeUndefined();
    expect(release.valuesYaml).not.toContain("oidc_client_secret");
  });

  it("the break-glass login form stays (admin / grafana_admin_password)", () => {
    expect(grafana["grafana.ini"].auth.disable_login_form).toBe(false);
    expect(release.setSensitive.map((x) => x.name)).toContain("grafana.adminPassword");
  });

  it("role mapping: admin groups first, then viewer groups, each a quoted claim and escaped group", () => {
    const groups = '("groups" || `[]`)';
    expect(oauth.role_attribute_path).toBe(
      `(contains(${groups}, 'platform-admins') || contains(${groups}, 'sre')) && 'Admin' || (contains(${groups}, 'developers')) && 'Viewer' || \`null\``,
    );
    const odd = { ...OIDC, groupsClaim: "roles", adminGroups: ["o'brien"], viewerGroups: [], usernameClaim: "email" } as const;
    expect(grafanaRoleAttributePath(odd)).toBe(`(contains(("roles" || \`[]\`), 'o\\'brien')) && 'Admin' || \`null\``);
    expect(grafanaRoleAttributePath({ ...odd, adminGroups: [] })).toBe("`null`");
  });

  it("without a web client Grafana keeps its own login only", () => {
    const g = (kubectlOnly.releases["kube-prometheus-stack"].values as any).grafana;
    expect(g["grafana.ini"]).toBeUndefined();
    expect(kubectlOnly.releases["kube-prometheus-stack"].setSensitive.map((x) => x.name)).not.toContain(`grafana.envRenderSecret.${GRAFANA_CLIENT_SECRET_ENV}`);
  });
});

describe("OIDC: Argo CD single sign-on and RBAC", () => {
  const release = sso.releases["argo-cd"];
  const configs = (release.values as any).configs;

  it("oidc.config: issuer, web client, secret by reference into argocd-secret, scopes, the issuer's CA", () => {
    const config = parse(configs.cm["oidc.config"]);
    expect(config).toEqual({
      name: "SSO",
      issuer: OIDC.issuerUrl,
      clientID: "platform-uis",
      clientSecret: "$oidc.clientSecret",
      requestedScopes: ["openid", "profile", "email", "groups"],
      requestedIDTokenClaims: { groups: { essential: true } },
      rootCA: OIDC_CA,
    });
    const secret = release.setSensitive.find((x) => x.name === "configs.secret.extra.oidc\\.clientSecret");
    expect(sensitiveSource(secret!.value)).toBe("var.oidc_client_secret");
    expect(configs.cm["admin.enabled"]).toBe(true); // break-glass local admin
    expect(configs.repositories.gitops.url).toBe(environment("prod").platform.gitops.repoURL); // merged, not replaced
  });

  it("RBAC: admin groups role:admin, viewer groups role:readonly (no oidc: prefix: that is the API server's), nobody else", () => {
    expect(configs.rbac).toEqual({
      "policy.default": "",
      "policy.csv": "g, platform-admins, role:admin\ng, sre, role:admin\ng, developers, role:readonly\n",
      scopes: "[groups]",
    });
  });

  it("without a web client: no SSO, no RBAC values", () => {
    const c = (kubectlOnly.releases["argo-cd"].values as any).configs;
    expect(c.cm["oidc.config"]).toBeUndefined();
    expect(c.rbac).toBeUndefined();
  });
});

describe("the review gate knows what this part synthesizes", () => {
  /** A synthesized resource as if the plan replaced (or deleted) it, its config standing in for its state. */
  const asChange = (type: string, id: string, config: any, action: "replace" | "delete"): PlannedChange => {
    const state = { ...config, metadata: config.metadata ? [config.metadata] : undefined };
    return { address: `${type}.${id}`, type, path: id, pathFromMetadata: true, action, createBeforeDestroy: false, changed: [], replaceReasons: [], before: state, after: state };
  };
  const changes = (type: string, action: "replace" | "delete") =>
    Object.entries<any>(sso.json.resource[type] ?? {}).map(([id, config]) => asChange(type, id, config, action));

  it("every resource type is known (none falls to unknown-type)", () => {
    const types = Object.keys(sso.json.resource).filter((t) => t !== "null_resource"); // the test's stand-in gate
    expect(types.filter((t) => !KNOWN_TYPES.has(t))).toEqual([]);
  });

  it("the generated credential Secrets carry the label the gate lets go (one name in both parts)", () => {
    expect(REGENERATED_LABEL).toEqual({ [REGENERATED_SECRET_LABEL]: "true" });
    // The admin UIs' htpasswd and probe credential, and Loki's object-store keys (Velero's S3 credentials Secret is backups.test's).
    const secrets = changes("kubernetes_secret_v1", "replace").filter((c) => !c.path.includes("velero"));
    expect(secrets).toHaveLength(3);
    expect(judge("prod", secrets).violations).toEqual([]);
    const unlabelled = secrets.map((c) => ({ ...c, before: { metadata: [{ name: "x", labels: {} }] } }));
    expect(judge("prod", unlabelled).violations.map((v) => [v.rule.id, v.hits.length])).toEqual([["kubernetes-secrets", 3]]);
  });

  it("the role bindings pass, each with a second-reviewer note", () => {
    const result = judge("prod", changes("kubernetes_cluster_role_binding_v1", "delete"));
    expect(result.violations).toEqual([]);
    expect(result.security.map((n) => [n.change.path.replace(/_[0-9A-F]{8}$/, ""), n.review.id])).toEqual([
      ["platform_people_admin-binding", "rbac-grants"],
      ["platform_people_viewer-binding", "rbac-grants"],
    ]);
  });
});
