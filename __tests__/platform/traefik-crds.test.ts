import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { CHARTS } from "../../lib/platform/chart-versions";
import { TRAEFIK_CRDS_CHART_VERSION } from "../../lib/platform/traefik-crd-manifests";
import { HELM_KEEP_ANNOTATION } from "../../lib/platform/traefik-crds";
import { valueAt } from "../../lib/platform/values";
import { referenceSources } from "../reference/sources";
import { environment, MIRROR } from "./fixtures";
import { synthPlatform, type SynthRelease } from "./synth";
import { traefikCrdManifestsModule, vendoredTraefikChartVersion, vendoredTraefikCrds } from "./traefik-crd-data";
import { CHARTS_DIR, upstreamValues } from "./upstream";

/**
 * Helm installs a chart's crds/ once and never upgrades them. Traefik's CRDs are therefore their own release
 * (`traefik-crds`, the raw chart templating the pinned traefik chart's CRDs), which Helm upgrades with every bump.
 */
const crdsOf = (release: SynthRelease): Record<string, any>[] => {
  const values = release.raw.values as string[];
  expect(values).toHaveLength(2); // the (empty) merged values, then the CRDs as JSON
  return JSON.parse(values[1]).resources;
};
const names = (crds: readonly Record<string, any>[]) => crds.map((c) => c.metadata.name).sort();

describe("the CRDs the library ships are the pinned traefik chart's", () => {
  it("lib/platform/traefik-crd-manifests.ts is generated from the vendored crds/ (regenerate: npx tsx __tests__/platform/traefik-crd-data.ts)", () => {
    expect(readFileSync(join(__dirname, "..", "..", "lib", "platform", "traefik-crd-manifests.ts"), "utf8")).toBe(traefikCrdManifestsModule());
  });

  it("come from the same chart version and tag as the pinned traefik chart (its Chart.yaml, its SOURCES.md rows)", () => {
    expect(TRAEFIK_CRDS_CHART_VERSION).toBe(CHARTS.traefik.version);
    expect(vendoredTraefikChartVersion()).toBe(CHARTS.traefik.version);
    const rows = [...referenceSources().values()].filter((r) => r.file.startsWith("charts/traefik/crds/"));
    expect(rows.map((r) => r.file.replace("charts/traefik/crds/", "")).sort()).toEqual(names(vendoredTraefikCrds()).map((n) => `traefik.io_${n.split(".")[0]}.yaml`));
    for (const row of rows) {
      expect([row.file, row.version, row.origin]).toEqual([row.file, CHARTS.traefik.version, expect.stringContaining(`/blob/v${CHARTS.traefik.version}/traefik/crds/`)]);
    }
    // Same tag as the chart's Chart.yaml (whose appVersion is the Traefik these CRDs describe).
    const chartRow = referenceSources().get("charts/traefik/Chart.yaml")!;
    const tagOf = (origin: string) => /\/blob\/([^/]+)\//.exec(origin)?.[1];
    for (const row of rows) expect([row.file, tagOf(row.origin)]).toEqual([row.file, tagOf(chartRow.origin)]);
    expect(parse(readFileSync(join(CHARTS_DIR, "traefik", "Chart.yaml"), "utf8")).appVersion).toMatch(/^v3\./);
  });

  it("are the ten traefik.io CRDs: every kind Traefik's CRD provider reads, no Traefik Hub, no Gateway API", () => {
    const crds = vendoredTraefikCrds();
    expect(crds.map((c) => c.spec.names.kind).sort()).toEqual(
      ["IngressRoute", "IngressRouteTCP", "IngressRouteUDP", "Middleware", "MiddlewareTCP", "ServersTransport", "ServersTransportTCP", "TLSOption", "TLSStore", "TraefikService"].sort(),
    );
    for (const crd of crds) expect([crd.metadata.name, crd.kind, crd.spec.group]).toEqual([crd.metadata.name, "CustomResourceDefinition", "traefik.io"]);
  });

  it("include the 41.x fields the deprecated traefik-crds chart (last 1.18.0) lacks: Middleware errors.errorRequestHeaders", () => {
    const middleware = vendoredTraefikCrds().find((c) => c.spec.names.kind === "Middleware")!;
    const errors = middleware.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.errors;
    expect(errors.properties.errorRequestHeaders).toMatchObject({ type: "array" });
  });
});

describe("the traefik-crds release", () => {
  const prod = synthPlatform(environment("prod")).releases;

  it("installs exactly the vendored CRDs through the raw chart, in traefik-public, adopting existing ones (take_ownership)", () => {
    const release = prod["traefik-crds"];
    expect(release).toMatchObject({ chart: CHARTS.raw.chart, version: CHARTS.raw.version, namespace: "traefik-public" });
    expect(release.raw.take_ownership).toBe(true);
    expect(release.values).toEqual({});
    const crds = crdsOf(release);
    const vendored = vendoredTraefikCrds();
    expect(names(crds)).toEqual(names(vendored));
    // Identical to the chart's, apart from the keep annotation.
    for (const crd of crds) {
      const original = vendored.find((v) => v.metadata.name === crd.metadata.name)!;
      const { "helm.sh/resource-policy": keep, ...annotations } = crd.metadata.annotations;
      expect(keep).toBe("keep");
      expect({ ...crd, metadata: { ...crd.metadata, annotations } }).toEqual(original);
    }
  });

  it.each(["dev", "prod"] as const)("%s: every CRD carries Helm's keep policy (uninstalling the release leaves every IngressRoute)", (tier) => {
    for (const crd of crdsOf(synthPlatform(environment(tier)).releases["traefik-crds"])) {
      expect([crd.metadata.name, crd.metadata.annotations]).toEqual([crd.metadata.name, expect.objectContaining(HELM_KEEP_ANNOTATION)]);
    }
  });

  it("sandbox: no keep policy (destroying a sandbox leaves no Traefik CRDs behind)", () => {
    for (const crd of crdsOf(synthPlatform(environment("sandbox")).releases["traefik-crds"])) {
      expect([crd.metadata.name, crd.metadata.annotations["helm.sh/resource-policy"]]).toEqual([crd.metadata.name, undefined]);
    }
  });

  it("comes from the chart mirror with a registry mirror (the raw chart every other raw release uses)", () => {
    const release = synthPlatform(environment("prod", { mirror: true })).releases["traefik-crds"];
    expect(release.repository).toBe(MIRROR.chartRepository);
    expect(release.chart).toBe("raw");
  });

  it("installs after the API readiness gate, the pod network gate and its namespace", () => {
    const { json } = synthPlatform(environment("prod"));
    const deps = prod["traefik-crds"].dependsOn;
    expect(deps).toContain("null_resource.api-ready");
    expect(deps.some((d) => d.startsWith("terraform_data.") && d.includes("pod-network-ready"))).toBe(true);
    const ns = Object.entries<any>(json.resource.kubernetes_namespace_v1).find(([, n]) => n.metadata.name === "traefik-public")![0];
    expect(deps).toContain(`kubernetes_namespace_v1.${ns}`);
  });
});

describe("both Traefik releases leave the CRDs to traefik-crds", () => {
  it.each(["sandbox", "prod"] as const)("%s: skip_crds, and each waits for traefik-crds (installed before, destroyed after)", (tier) => {
    const releases = synthPlatform(environment(tier)).releases;
    for (const name of ["traefik-public", "traefik-admin"]) {
      expect([name, releases[name].raw.skip_crds]).toEqual([name, true]);
      expect(releases[name].dependsOn).toContain(`helm_release.${releases["traefik-crds"].address}`);
    }
  });

  it("no other release skips CRDs: skip_crds is Traefik's alone", () => {
    const releases = synthPlatform(environment("prod")).releases;
    const skipping = Object.values(releases).filter((r) => r.raw.skip_crds).map((r) => r.name).sort();
    expect(skipping).toEqual(["traefik-admin", "traefik-public"]);
  });

  it("needs no Gateway API CRDs: the Gateway provider, Gateway and GatewayClass stay off (upstream defaults and ours)", () => {
    const upstream = upstreamValues("traefik");
    expect(valueAt(upstream, "providers.kubernetesGateway.enabled")).toBe(false);
    expect(valueAt(upstream, "hub.token")).toBeFalsy(); // Traefik Hub (hub.traefik.io CRDs) is off without a token
    for (const name of ["traefik-public", "traefik-admin"]) {
      const values = synthPlatform(environment("prod")).releases[name].values;
      expect(valueAt(values, "providers.kubernetesGateway.enabled")).toBeUndefined();
      expect([valueAt(values, "gateway.enabled"), valueAt(values, "gatewayClass.enabled")]).toEqual([false, false]);
    }
  });

  it("every traefik.io kind the Traefik releases create (the default TLSStore) is one traefik-crds installs", () => {
    const kinds = new Set(crdsOf(synthPlatform(environment("prod")).releases["traefik-crds"]).map((c) => c.spec.names.kind));
    const values = synthPlatform(environment("prod")).releases["traefik-public"].values;
    expect(valueAt(values, "tlsStore.default")).toBeDefined();
    expect(kinds.has("TLSStore")).toBe(true);
  });
});
