import Ajv from "ajv";
import { closedCrdSchema } from "../helpers/crd-schema";
import Ajv2020 from "ajv/dist/2020";
import { readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { mirrorBase } from "../../lib/config/registry-mirror";
import { CHARTS } from "../../lib/platform/chart-versions";
import { API_SERVER_PROBE_MODULE, GUARDED_PROBE_MODULE, PROBE_CA_FILE, PROBE_CA_SECRET } from "../../lib/platform/blackbox-exporter";
import { TerraformStack, Testing } from "cdktf";
import { validateEnvironment } from "../../lib/config/validate";
import { CertManager, CLUSTER_ISSUER_ANNOTATION, SITE_CA_SECRET } from "../../lib/platform/cert-manager";
import { PlatformCa } from "../../lib/platform/platform-ca";
import { platformContext } from "../../lib/platform/platform-context";
import { deepMerge, valueAt } from "../../lib/platform/values";
import { ACME_CA, acmeTls as acme, environment, MIRROR, platformConfig, withLoadBalancer as lb } from "./fixtures";
import { sensitiveSource, synthPlatform } from "./synth";
import { CHARTS_DIR, upstreamValues } from "./upstream";

const base = platformConfig("prod").ingress;
const withLoadBalancer = lb("prod");

/** cert-manager's values.schema.json (draft-07, closed objects: additionalProperties false everywhere). */
const certManagerSchema = new Ajv({ strict: false, allErrors: true }).compile(
  JSON.parse(readFileSync(join(CHARTS_DIR, "cert-manager", "values.schema.json"), "utf8")),
);
const traefikSchema = new Ajv2020({ strict: false, allErrors: true }).compile(
  JSON.parse(readFileSync(join(CHARTS_DIR, "traefik", "values.schema.json"), "utf8")),
);

/**
 * A cert-manager CRD (deploy/crds at v1.21.1) as a validator of our objects: its served version's
 * openAPIV3Schema, with every object that lists its properties closed (additionalProperties: false, unless it
 * preserves unknown fields): the API server would silently prune a misspelt field, strict field validation
 * (kubectl --validate=strict) rejects it; we do the latter. Also checks group/version, kind and scope.
 */
function crdValidator(file: string): (obj: Record<string, any>) => string[] {
  const crd = parse(readFileSync(join(CHARTS_DIR, "cert-manager", "crds", file), "utf8"));
  const version = crd.spec.versions.find((v: any) => v.served && v.storage);
  const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(closedCrdSchema(version.schema.openAPIV3Schema) as object);
  return (obj) => {
    const problems: string[] = [];
    if (obj.apiVersion !== `${crd.spec.group}/${version.name}`) problems.push(`apiVersion ${obj.apiVersion}, CRD serves ${crd.spec.group}/${version.name}`);
    if (obj.kind !== crd.spec.names.kind) problems.push(`kind ${obj.kind}, CRD is ${crd.spec.names.kind}`);
    if ((crd.spec.scope === "Namespaced") !== (obj.metadata?.namespace !== undefined)) problems.push(`${crd.spec.scope} resource with namespace ${obj.metadata?.namespace}`);
    if (typeof obj.metadata?.name !== "string") problems.push("metadata.name missing");
    if (!validate(obj)) problems.push(...(validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`));
    return problems;
  };
}
const clusterIssuer = crdValidator("cert-manager.io_clusterissuers.yaml");
const certificate = crdValidator("cert-manager.io_certificates.yaml");

describe.each([
  ["sandbox (site CA)", environment("sandbox")],
  ["prod with mirror (site CA)", environment("prod", { mirror: true })],
  ["prod (ACME with CA)", environment("prod", { platform: acme(ACME_CA) })],
  ["prod with mirror and load balancer", environment("prod", { mirror: true, platform: withLoadBalancer })],
] as const)("%s", (_label, env) => {
  const { releases } = synthPlatform(env);

  it("cert-manager values pass the chart's values.schema.json (chart defaults + ours)", () => {
    const ok = certManagerSchema(deepMerge(upstreamValues("cert-manager"), releases["cert-manager"].values));
    expect(certManagerSchema.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it.each(["traefik-public", "traefik-admin"])("%s values pass Traefik's values.schema.json", (name) => {
    const ok = traefikSchema(deepMerge(upstreamValues("traefik"), releases[name].values));
    expect(traefikSchema.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("the ClusterIssuer and every Certificate validate against cert-manager's CRD schemas", () => {
    const issued = (releases["cluster-issuer"].values as any).resources as Record<string, any>[];
    const issuers = issued.filter((o) => o.kind === "ClusterIssuer");
    expect(issuers).toHaveLength(1);
    for (const i of issuers) expect([i.metadata.name, clusterIssuer(i)]).toEqual([i.metadata.name, []]);
    const certs = ["traefik-public", "traefik-admin"].flatMap((n) => ((releases[n].values as any).extraObjects ?? []) as Record<string, any>[]);
    for (const c of certs) {
      expect([c.metadata.name, certificate(c)]).toEqual([c.metadata.name, []]);
      expect(c.spec.issuerRef).toEqual({ group: "cert-manager.io", kind: "ClusterIssuer", name: issuers[0].metadata.name });
    }
  });

  it("every platform Ingress has a tls block for its host and names the ClusterIssuer", () => {
    const issuer = ((releases["cluster-issuer"].values as any).resources as any[]).find((o) => o.kind === "ClusterIssuer").metadata.name;
    const domain = env.platform.domain;
    const argo = (releases["argo-cd"].values as any).server.ingress;
    expect(argo.annotations[CLUSTER_ISSUER_ANNOTATION]).toBe(issuer);
    expect(argo.tls).toBe(true); // argo-cd renders tls: [{ hosts: [hostname], secretName: argocd-server-tls }]
    expect(argo.hostname).toBe(`argocd.${domain}`);
    const kps = releases["kube-prometheus-stack"].values as any;
    for (const [app, ingress] of [["prometheus", kps.prometheus.ingress], ["alertmanager", kps.alertmanager.ingress], ["grafana", kps.grafana.ingress]] as const) {
      expect(ingress.annotations[CLUSTER_ISSUER_ANNOTATION]).toBe(issuer);
      expect(ingress.tls).toEqual([{ secretName: `${app}-tls`, hosts: [`${app}.${domain}`] }]);
      expect(ingress.hosts).toEqual([`${app}.${domain}`]);
    }
  });

  it("Prometheus and Alertmanager know the URL users reach them at", () => {
    const kps = releases["kube-prometheus-stack"].values as any;
    expect(kps.prometheus.prometheusSpec.externalUrl).toBe(`https://prometheus.${env.platform.domain}/`);
    expect(kps.alertmanager.alertmanagerSpec.externalUrl).toBe(`https://alertmanager.${env.platform.domain}/`);
  });

  it("cert-manager installs its CRDs and keeps them on uninstall", () => {
    expect((releases["cert-manager"].values as any).crds).toEqual({ enabled: true, keep: true });
  });
});

describe("site CA issuer", () => {
  const { releases, json } = synthPlatform(environment("prod"));
  const issuer = releases["cluster-issuer"];
  const resources = (issuer.values as any).resources as any[];

  it("the CA Secret's data comes only through set_sensitive, from sensitive variables", () => {
    const secret = resources.find((o) => o.kind === "Secret");
    expect(secret).toEqual({ apiVersion: "v1", kind: "Secret", metadata: { name: SITE_CA_SECRET, namespace: "cert-manager" }, type: "kubernetes.io/tls" });
    expect(resources.find((o) => o.kind === "ClusterIssuer").spec).toEqual({ ca: { secretName: SITE_CA_SECRET } });
    // Index 0 is the Secret; "\." keeps the dot of the key (Helm --set syntax).
    expect(resources[0]).toBe(secret);
    expect(issuer.setSensitive.map((x) => ({ ...x, value: sensitiveSource(x.value) }))).toEqual([
      { name: "resources[0].data.tls\\.crt", value: "base64encode(var.tls_site_ca_cert_pem)", type: "string" },
      { name: "resources[0].data.tls\\.key", value: "base64encode(var.tls_site_ca_key_pem)", type: "string" },
    ]);
    for (const v of ["tls_site_ca_cert_pem", "tls_site_ca_key_pem"]) expect(json.variable[v]).toMatchObject({ type: "string", sensitive: true });
  });

  it("no release's values YAML refers to the CA variables (cdk.tf.json holds them only in set_sensitive)", () => {
    for (const r of Object.values(releases)) expect([r.name, r.valuesYaml]).not.toEqual([r.name, expect.stringMatching(/tls_site_ca|BEGIN .*KEY/)]);
    const text = JSON.stringify(json);
    const mentions = text.match(/var\.tls_site_ca_key_pem/g) ?? [];
    expect(mentions).toHaveLength(1); // the one set_sensitive entry above
  });

  it("Traefik's default certificate: *.<domain> from the site CA, in each instance's own namespace, read only there", () => {
    for (const cls of ["public", "admin"]) {
      const v = releases[`traefik-${cls}`].values as any;
      const ns = releases[`traefik-${cls}`].namespace;
      expect(v.extraObjects).toHaveLength(1);
      expect(v.extraObjects[0].metadata.namespace).toBe(ns);
      expect(v.extraObjects[0].spec.dnsNames).toContain("*.prod.k8s.example.internal");
      expect(v.tlsStore).toEqual({ default: { defaultCertificate: { secretName: v.extraObjects[0].spec.secretName } } });
      // Two `default` TLSStores visible to one Traefik make it drop both.
      expect(v.providers.kubernetesCRD.defaultTLSResourcesNamespace).toBe(ns);
    }
  });

  it("the blackbox exporter verifies certificates against the site CA (Secret via set_sensitive, mounted, ca_file)", () => {
    const b = releases["prometheus-blackbox-exporter"];
    const v = b.values as any;
    const i = v.extraManifests.findIndex((m: any) => m.kind === "Secret");
    expect(v.extraManifests[i]).toMatchObject({ kind: "Secret", metadata: { name: PROBE_CA_SECRET, namespace: "monitoring" } });
    expect(v.extraManifests[i].data).toBeUndefined();
    expect(b.setSensitive.map((x) => ({ ...x, value: sensitiveSource(x.value) }))).toEqual([{ name: `extraManifests[${i}].data.ca`, value: "base64encode(var.tls_site_ca_cert_pem)", type: "string" }]);
    expect(v.extraSecretMounts).toContainEqual({ name: "site-ca", mountPath: PROBE_CA_FILE.replace(/\/ca$/, ""), secretName: PROBE_CA_SECRET, readOnly: true });
    const module = deepMerge(upstreamValues("prometheus-blackbox-exporter"), v).config as any;
    expect(module.modules.http_2xx.http.tls_config).toEqual({ ca_file: PROBE_CA_FILE });
    expect(module.modules.http_2xx.http.tls_config.insecure_skip_verify).toBeUndefined();
    expect(module.modules.http_2xx.prober).toBe("http"); // chart defaults kept (Helm merges maps)
  });
});

describe("ACME issuer", () => {
  const withCa = synthPlatform(environment("prod", { platform: acme(ACME_CA) }));
  const withoutCa = synthPlatform(environment("prod", { platform: acme() }));

  it("ClusterIssuer against the internal ACME server, trusting its CA; no CA variables", () => {
    const issuer = ((withCa.releases["cluster-issuer"].values as any).resources as any[]);
    expect(issuer).toHaveLength(1);
    expect(issuer[0].spec.acme).toMatchObject({
      server: "https://acme.example.internal/acme/acme/directory",
      email: "pki@example.internal",
      caBundle: Buffer.from(ACME_CA).toString("base64"),
      solvers: [{ http01: { ingress: { ingressClassName: "public" } } }],
    });
    expect(withCa.json.variable?.tls_site_ca_key_pem).toBeUndefined();
    expect(withCa.releases["cluster-issuer"].setSensitive).toEqual([]);
  });

  it("platform Ingresses answer HTTP-01 challenges on their own (admin) class", () => {
    const argo = (withCa.releases["argo-cd"].values as any).server.ingress;
    expect(argo.annotations).toEqual({ [CLUSTER_ISSUER_ANNOTATION]: "site-acme", "acme.cert-manager.io/http01-ingress-ingressclassname": "admin" });
  });

  it("no wildcard default certificate (HTTP-01 cannot prove one)", () => {
    const t = withCa.releases["traefik-public"].values as any;
    expect(t.extraObjects).toBeUndefined();
    expect(t.tlsStore).toBeUndefined();
  });

  it("the blackbox trusts caPem when given, the system store otherwise", () => {
    expect(sensitiveSource(withCa.releases["prometheus-blackbox-exporter"].setSensitive[0].value)).toBe(JSON.stringify(Buffer.from(ACME_CA).toString("base64")));
    expect(withoutCa.releases["prometheus-blackbox-exporter"].setSensitive).toEqual([]);
    // No CA: the chart's http_2xx as it is; the basic-auth UIs' module verifies against the system store too.
    const modules = (withoutCa.releases["prometheus-blackbox-exporter"].values as any).config.modules;
    expect(Object.keys(modules)).toEqual([API_SERVER_PROBE_MODULE, GUARDED_PROBE_MODULE]);
    expect(modules[GUARDED_PROBE_MODULE].http.tls_config).toBeUndefined();
  });
});

describe("cert-manager images", () => {
  const mirrored = synthPlatform(environment("prod", { mirror: true })).releases["cert-manager"].values as any;
  const upstream = upstreamValues("cert-manager") as any;
  const components = ["image", "webhook.image", "cainjector.image", "acmesolver.image", "startupapicheck.image"];

  it("every component image is <imageRegistry>/<imageNamespace>/<name>: no component overrides the registry upstream", () => {
    expect([upstream.imageRegistry, upstream.imageNamespace]).toEqual(["quay.io", "jetstack"]);
    for (const c of components) {
      expect([c, valueAt(upstream, `${c}.repository`)]).toEqual([c, ""]);
      expect([c, valueAt(upstream, `${c}.registry`)]).toEqual([c, undefined]);
      expect(typeof valueAt(upstream, `${c}.name`)).toBe("string");
    }
  });

  it("with a mirror, the one registry field points into it and nothing bypasses it", () => {
    expect(mirrored.imageRegistry).toBe(`${mirrorBase(MIRROR)}/quay.io`);
    for (const c of components) {
      expect(valueAt(mirrored, `${c}.repository`)).toBeUndefined();
      expect(valueAt(mirrored, `${c}.registry`)).toBeUndefined();
    }
  });

  it("charts from the OCI mirror, pinned", () => {
    const { releases } = synthPlatform(environment("prod", { mirror: true }));
    expect([releases["cert-manager"].repository, releases["cert-manager"].version]).toEqual([MIRROR.chartRepository, CHARTS.certManager.version]);
    expect([releases["cluster-issuer"].repository, releases["cluster-issuer"].chart]).toEqual([MIRROR.chartRepository, "raw"]);
  });
});

describe("site load balancer", () => {
  const { releases } = synthPlatform(environment("prod", { platform: withLoadBalancer }));
  const pub = releases["traefik-public"].values as any;
  const adm = releases["traefik-admin"].values as any;

  it("its address is published in every Ingress's status (ip or hostname), not the NodePort Service's empty status", () => {
    expect(pub.providers.kubernetesIngress.ingressEndpoint).toEqual({ ip: "10.20.40.10" });
    expect(adm.providers.kubernetesIngress.ingressEndpoint).toEqual({ hostname: "admin-lb.example.internal" });
    // Traefik prefers publishedService over ip/hostname: it must be off.
    expect(pub.providers.kubernetesIngress.publishedService).toEqual({ enabled: false });
    expect(adm.providers.kubernetesIngress.publishedService).toEqual({ enabled: false });
    expect(pub.providers.kubernetesIngress.ingressClass).toBe("public"); // merged, not replaced
  });

  it("forwarded headers and PROXY protocol are trusted from its source addresses only, and kube-proxy keeps them", () => {
    for (const ep of ["web", "websecure"]) {
      expect(pub.ports[ep].forwardedHeaders).toEqual({ trustedIPs: ["10.20.40.2", "10.20.40.3"] });
      expect(pub.ports[ep].proxyProtocol).toEqual({ trustedIPs: ["10.20.40.2", "10.20.40.3"] });
      expect(pub.ports[ep].nodePort).toBeDefined();
      // A hostname address gives no trusted IP: nothing is trusted.
      expect(adm.ports[ep].forwardedHeaders).toBeUndefined();
    }
    expect(pub.service.spec).toEqual({ type: "NodePort", externalTrafficPolicy: "Local" });
    expect(adm.service.spec).toEqual({ type: "NodePort" });
  });

  it("an IPv4 address alone is trusted as the source, without PROXY protocol", () => {
    const v = synthPlatform(environment("dev", { platform: { ingress: { ...base, public: { ...base.public, loadBalancerAddress: "10.20.40.10" } } } }))
      .releases["traefik-public"].values as any;
    expect(v.ports.websecure.forwardedHeaders).toEqual({ trustedIPs: ["10.20.40.10"] });
    expect(v.ports.websecure.proxyProtocol).toBeUndefined();
  });

  it("without one, Traefik keeps the chart's publishedService default and trusts no forwarded header", () => {
    const v = synthPlatform(environment("prod")).releases["traefik-public"].values as any;
    expect(v.providers.kubernetesIngress.ingressEndpoint).toBeUndefined();
    expect(v.providers.kubernetesIngress.publishedService).toBeUndefined();
    expect(v.ports.websecure.forwardedHeaders).toBeUndefined();
  });
});

describe("the CRD check can fail", () => {
  it("rejects a Certificate without secretName, a misspelt field, a namespaced ClusterIssuer, a wrong apiVersion", () => {
    const good = { apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "x", namespace: "y" }, spec: { secretName: "s", dnsNames: ["a.b"], issuerRef: { name: "i", kind: "ClusterIssuer" } } };
    expect(certificate(good)).toEqual([]);
    expect(certificate({ ...good, spec: { ...good.spec, secretName: undefined } }).join()).toMatch(/secretName/);
    expect(certificate({ ...good, spec: { ...good.spec, dnsName: ["a.b"] } }).join()).toMatch(/dnsName/);
    expect(certificate({ ...good, apiVersion: "cert-manager.io/v1alpha2" }).join()).toMatch(/apiVersion/);
    const issuer = { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "i" }, spec: { ca: { secretName: "s" } } };
    expect(clusterIssuer(issuer)).toEqual([]);
    expect(clusterIssuer({ ...issuer, metadata: { name: "i", namespace: "n" } }).join()).toMatch(/Cluster resource/);
    expect(clusterIssuer({ ...issuer, spec: { ca: {} } }).join()).toMatch(/secretName/);
    expect(clusterIssuer({ ...issuer, spec: { acme: { server: "https://x" } } }).join()).toMatch(/privateKeySecretRef/);
  });
  it("the values schema rejects an unknown cert-manager key", () => {
    expect(certManagerSchema(deepMerge(upstreamValues("cert-manager"), { imageRegistyr: "x" }))).toBe(false);
  });
});

describe("PlatformCa: the one declaration of the issuer's CA", () => {
  it("cert-manager refuses a PlatformCa made for the other issuer (its Secret would be empty, every certificate unissued)", () => {
    const stack = new TerraformStack(Testing.app(), "mismatch");
    const caConfig = validateEnvironment(environment("prod"));
    const acmeCa = new PlatformCa(stack, "platform-ca", validateEnvironment(environment("prod", { platform: acme(ACME_CA) })));
    const context = platformContext(caConfig);
    expect(() => new CertManager(stack, "cert-manager", { context, platformCa: acmeCa, dependsOn: [] })).toThrow(
      'mismatch/cert-manager: platformCa is for the "acme" issuer but platform.tls.issuer is "ca": create PlatformCa from the same config',
    );
  });
});
