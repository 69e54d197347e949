import Ajv2020 from "ajv/dist/2020";
import { readFileSync } from "fs";
import { join } from "path";
import { deepMerge } from "../../lib/platform/values";
import { ACME_SOLVER_ROUTER_PRIORITY, HTTP_REDIRECT_PRIORITY } from "../../lib/platform/names";
import { acmeTls, environment, platformConfig } from "./fixtures";
import { synthPlatform } from "./synth";
import { CHARTS_DIR, upstreamValues } from "./upstream";

const schema = JSON.parse(readFileSync(join(CHARTS_DIR, "traefik", "values.schema.json"), "utf8"));
// strict: false because the chart's schema uses keywords ajv does not know in strict mode; allErrors for one full report.
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

describe.each([
  ["sandbox", environment("sandbox")],
  ["prod with mirror", environment("prod", { mirror: true })],
  ["prod with ACME", environment("prod", { platform: acmeTls() })],
] as const)("Traefik values against values.schema.json (%s)", (_label, env) => {
  it.each(["traefik-public", "traefik-admin"])("%s: the values Helm validates (chart defaults + ours) pass", (name) => {
    const effective = deepMerge(upstreamValues("traefik"), synthPlatform(env).releases[name].values);
    const ok = validate(effective);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });
});

describe("the schema check can fail", () => {
  it("rejects a misspelt key under a closed object", () => {
    expect(validate(deepMerge(upstreamValues("traefik"), { ingressClass: { nmae: "x" } }))).toBe(false);
  });
});

describe("Traefik instances", () => {
  const { releases } = synthPlatform(environment("prod"));
  it("serve one class each, NodePorts from config, only public is the default class", () => {
    const pub = releases["traefik-public"].values as any;
    const adm = releases["traefik-admin"].values as any;
    expect(pub.ingressClass).toEqual({ enabled: true, isDefaultClass: true, name: "public" });
    expect(adm.ingressClass).toEqual({ enabled: true, isDefaultClass: false, name: "admin" });
    expect(pub.providers.kubernetesIngress.ingressClass).toBe("public");
    expect(adm.providers.kubernetesCRD.ingressClass).toBe("admin");
    expect(pub.service.spec.type).toBe("NodePort");
    expect([pub.ports.web.nodePort, pub.ports.websecure.nodePort]).toEqual([30080, 30443]);
    expect([adm.ports.web.nodePort, adm.ports.websecure.nodePort]).toEqual([31080, 31443]);
    expect(releases["traefik-public"].namespace).not.toBe(releases["traefik-admin"].namespace);
  });
});

describe("HTTP -> HTTPS redirect", () => {
  const redirectOf = (values: any) => values.ports?.web?.http?.redirections?.entryPoint;
  /** What templates/_podtemplate.tpl (chart 41.3.0) checks and renders: `to` must name a port, https when it has TLS, `:<exposedPort>`. */
  const rendered = (values: any) => {
    const effective = deepMerge(upstreamValues("traefik"), values) as any;
    const r = redirectOf(effective);
    const target = effective.ports[r.to];
    expect(target).toBeDefined(); // "Cannot redirect web to ...: entryPoint not found"
    if (target.http?.tls?.enabled) expect(r.scheme).toBe("https"); // "Cannot redirect ... without setting scheme to https"
    return { to: `:${target.exposedPort}`, scheme: r.scheme, permanent: r.permanent, priority: r.priority };
  };

  it.each(["traefik-public", "traefik-admin"])("%s (site CA): web redirects permanently to https on :443, above every Ingress router", (name) => {
    const values = synthPlatform(environment("prod")).releases[name].values as any;
    // The load balancer listens on :443 (-> httpsNodePort): websecure's exposed port is what the Location names.
    expect(rendered(values)).toEqual({ to: ":443", scheme: "https", permanent: true, priority: undefined });
    expect(values.ports.websecure.http?.redirections).toBeUndefined(); // no loop
  });

  it.each(["traefik-public", "traefik-admin"])("%s (ACME): the redirect yields to cert-manager's HTTP-01 solver Ingress, and only to it", (name) => {
    const { releases } = synthPlatform(environment("prod", { platform: acmeTls() }));
    expect(rendered(releases[name].values)).toEqual({ to: ":443", scheme: "https", permanent: true, priority: HTTP_REDIRECT_PRIORITY });
    const issuer = (releases["cluster-issuer"].values as any).resources.find((r: any) => r.kind === "ClusterIssuer");
    const solver = issuer.spec.acme.solvers[0].http01.ingress;
    expect(solver.ingressTemplate.metadata.annotations["traefik.ingress.kubernetes.io/router.priority"]).toBe(String(ACME_SOLVER_ROUTER_PRIORITY));
    expect(ACME_SOLVER_ROUTER_PRIORITY).toBeGreaterThan(HTTP_REDIRECT_PRIORITY);
    // An Ingress router's priority is its rule's length: a long Host && PathPrefix rule stays far below.
    const longRule = `Host(\`${"a".repeat(253)}\`) && PathPrefix(\`/${"p".repeat(2000)}\`)`;
    expect(longRule.length).toBeLessThan(HTTP_REDIRECT_PRIORITY);
    // Helm reads values as float64; the chart prints them with %v: 1e+06 and above would render as exponents.
    expect(String(HTTP_REDIRECT_PRIORITY)).not.toMatch(/e/);
    expect(ACME_SOLVER_ROUTER_PRIORITY).toBeLessThan(1e6);
  });

  it("redirectToHttps: false serves plain HTTP, and an http:// urlScheme turns the default off", () => {
    const base = platformConfig("prod").ingress;
    const off = synthPlatform(environment("prod", { platform: { ingress: { ...base, public: { ...base.public, redirectToHttps: false } } } })).releases;
    expect(redirectOf(off["traefik-public"].values)).toBeUndefined();
    expect(redirectOf(off["traefik-admin"].values)).toBeDefined();
    const http = synthPlatform(environment("prod", { platform: { urlScheme: "http" } })).releases;
    expect(redirectOf(http["traefik-admin"].values)).toBeUndefined();
  });

  it("the blackbox probes go to https:// URLs, which the redirect never touches", () => {
    const probes = (synthPlatform(environment("prod")).releases["prometheus-blackbox-exporter"].values as any).extraManifests
      .filter((m: any) => m.kind === "Probe")
      .flatMap((p: any) => p.spec.targets.staticConfig.static);
    expect(probes.length).toBeGreaterThan(0);
    for (const url of probes) expect(url).toMatch(/^https:\/\//);
  });
});
