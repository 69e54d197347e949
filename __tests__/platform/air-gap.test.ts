import { mirrorBase } from "../../lib/config/registry-mirror";
import { ARGO_CD_IMAGES } from "../../lib/platform/argo-cd";
import { BLACKBOX_IMAGES } from "../../lib/platform/blackbox-exporter";
import { CALICO_IMAGES } from "../../lib/platform/calico";
import { CERT_MANAGER_IMAGES } from "../../lib/platform/cert-manager";
import { CHARTS } from "../../lib/platform/chart-versions";
import { KUBE_PROMETHEUS_STACK_IMAGES } from "../../lib/platform/kube-prometheus-stack";
import { KYVERNO_IMAGES } from "../../lib/platform/kyverno";
import { FLUENT_BIT_IMAGES } from "../../lib/platform/fluent-bit";
import { LOKI_IMAGES } from "../../lib/platform/loki";
import { ROOK_CLUSTER_IMAGES } from "../../lib/platform/rook-ceph-cluster";
import { ROOK_OPERATOR_IMAGES } from "../../lib/platform/rook-ceph";
import { TRAEFIK_IMAGES } from "../../lib/platform/traefik";
import { VELERO_IMAGES } from "../../lib/platform/velero";
import type { EnvironmentConfig } from "../../lib/config/types";
import { deepMerge, isPlainObject, valueAt } from "../../lib/platform/values";
import { acmeTls, ACME_CA, environment, MIRROR } from "./fixtures";
import { synthPlatform } from "./synth";
import { IN_CLUSTER_STORE_RELEASES, RELEASE_CHART_DIR, upstreamValues } from "./upstream";

const PREFIX = mirrorBase(MIRROR);

/** Keys whose string values are images or registries. */
const IMAGE_KEY = /^(image|registry|repository|imageRegistry)$/i;
/** Strings that look like `host.tld[:port]/path` (an image reference with its registry). */
const IMAGE_LIKE = /^([a-z0-9-]+\.)+[a-z]{2,}(:\d+)?\/[a-z0-9._/-]+(:[\w.-]+)?$/;
/**
 * Values that match the patterns above but are not images, each with the reason.
 * Paths use "." and "[]" like the key checker.
 */
const NOT_IMAGES: Record<string, string> = {
  "configs.cm.application.instanceLabelKey": "a label key",
  "providers.kubernetesIngressNGINX.controllerClass": "an ingress controller class name",
  "alertmanager.alertmanagerSpec.podAntiAffinityTopologyKey": "a topology label key",
  "prometheus.prometheusSpec.podAntiAffinityTopologyKey": "a topology label key",
  "thanosRuler.thanosRulerSpec.podAntiAffinityTopologyKey": "a topology label key",
  "grafana.persistence.finalizers[]": "a finalizer name",
  "webhook.validatingWebhookConfiguration.namespaceSelector.matchExpressions[].key": "a label key (cert-manager.io/disable-validation)",
  "resources[].type": "a Secret type (kubernetes.io/tls)",
  "resources[].provisioner": "a StorageClass provisioner name (Rook's bucket provisioner)",
  "cephBlockPools[].storageClass.parameters.imageFormat": "RBD image format, not a container image",
  "cephBlockPools[].storageClass.parameters.imageFeatures": "RBD image features, not a container image",
  "config.webhooks.namespaceSelector.matchExpressions[].key": "a label key (kubernetes.io/metadata.name)",
  ...Object.fromEntries(
    ["admissionController", "backgroundController", "cleanupController", "reportsController"].flatMap((c) => [
      [`${c}.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.labelSelector.matchExpressions[].key`, "a label key"],
      [`${c}.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm.topologyKey`, "a topology label key"],
    ]),
  ),
  // Traefik: used only for Azure Marketplace billing (global.azure.enabled false, asserted below) and
  // OCI packaging metadata of the chart itself; never rendered into a pod.
  "global.azure.images.proxy.registry+image": "Azure Marketplace only",
  "global.azure.images.hub.registry+image": "Azure Marketplace only",
  "oci_meta.images.proxy.image": "chart packaging metadata",
  "oci_meta.images.hub.image": "chart packaging metadata",
};

/**
 * Every string that looks like an image or registry in the values Helm will render with. Where a map has
 * `registry` next to `repository`/`image`, the chart renders `registry/repository`: that composed
 * reference is what is checked.
 */
function imageStrings(values: unknown, path = ""): { path: string; value: string }[] {
  if (Array.isArray(values)) return values.flatMap((v) => imageStrings(v, `${path}[]`));
  if (isPlainObject(values)) {
    const at = (k: string) => (path ? `${path}.${k}` : k);
    const registry = values.registry;
    const nameKey = ["repository", "image"].find((k) => typeof values[k] === "string" && values[k] !== "");
    if (typeof registry === "string" && registry !== "" && nameKey) {
      const rest = Object.entries(values).filter(([k]) => k !== "registry" && k !== nameKey);
      return [
        { path: `${at("registry")}+${nameKey}`, value: `${registry}/${values[nameKey] as string}` },
        ...rest.flatMap(([k, v]) => imageStrings(v, at(k))),
      ];
    }
    return Object.entries(values).flatMap(([k, v]) => imageStrings(v, at(k)));
  }
  if (typeof values !== "string" || values === "") return [];
  const key = path.split(/[.[]/).pop() ?? "";
  if (/apiVersion/.test(path)) return []; // API group/version, not an image
  return IMAGE_KEY.test(key) || IMAGE_LIKE.test(values) ? [{ path, value: values }] : [];
}

/**
 * Every release of `env` plus those only an environment with the in-cluster object store has (the same env on
 * tier dev without `backups`), so each release of RELEASE_CHART_DIR is checked.
 */
function withInClusterStore(env: EnvironmentConfig): ReturnType<typeof synthPlatform> {
  const own = synthPlatform(env);
  const inCluster = synthPlatform({ ...env, tier: "dev", backups: undefined });
  const extra = Object.fromEntries(IN_CLUSTER_STORE_RELEASES.map((r) => [r, inCluster.releases[r]]));
  return { json: own.json, releases: { ...own.releases, ...extra } };
}

function upstreamFor(chartDir: string): Record<string, unknown> {
  const own = upstreamValues(chartDir);
  return chartDir === "kube-prometheus-stack" ? deepMerge({ grafana: upstreamValues("grafana") }, own) : own;
}

describe.each([
  ["site CA", environment("prod", { mirror: true })],
  ["ACME", environment("prod", { mirror: true, platform: acmeTls(ACME_CA) })],
] as const)("with a registry mirror (%s)", (_label, env) => {
  const { releases, json } = withInClusterStore(env);

  it.each(Object.entries(RELEASE_CHART_DIR))("%s: every image in the effective values is in the mirror", (name, chartDir) => {
    const effective = deepMerge(chartDir ? upstreamFor(chartDir) : {}, releases[name].values);
    const outside = imageStrings(effective)
      .filter((i) => NOT_IMAGES[i.path] === undefined)
      .filter((i) => !i.path.endsWith(".topologyKey")) // a node label key (kubernetes.io/hostname) in affinities and spreads
      .filter((i) => !i.value.startsWith(`${PREFIX}/`))
      .map((i) => `${i.path}=${i.value}`);
    expect(outside).toEqual([]);
  });

  it("Traefik's Azure-only image fields stay disabled", () => {
    expect((upstreamValues("traefik") as any).global.azure.enabled).toBe(false);
  });

  it.each(Object.keys(RELEASE_CHART_DIR))("%s: chart comes from the OCI mirror", (name) => {
    expect(releases[name].repository).toBe(MIRROR.chartRepository);
  });

  it("helm provider gets the mirror's credentials from sensitive variables", () => {
    expect(json.provider.helm[0].registries).toEqual([
      { url: "oci://gitlab.example.internal:5050", username: "${var.helm_registry_username}", password: "${var.helm_registry_password}" },
    ]);
    expect(json.variable.helm_registry_password.sensitive).toBe(true);
  });

  it("mirrored names keep the upstream registry as a path segment", () => {
    const kps = releases["kube-prometheus-stack"].values as any;
    expect(kps.prometheus.prometheusSpec.image.registry).toBe(`${PREFIX}/quay.io`);
    expect((releases["traefik-public"].values as any).image).toEqual({ registry: `${PREFIX}/docker.io`, repository: "library/traefik" });
    expect((releases.calico.values as any).installation.registry).toBe(`${PREFIX}/quay.io/`);
  });
});

describe("the image walker can fail", () => {
  it("finds an upstream image left in place", () => {
    const found = imageStrings(deepMerge(upstreamValues("rook-ceph"), {}));
    expect(found.some((i) => i.value === "docker.io/rook/ceph")).toBe(true);
  });
});

describe("without a mirror, upstream defaults stand", () => {
  const { releases, json } = withInClusterStore(environment("prod"));
  const declared = {
    calico: CALICO_IMAGES,
    "cert-manager": CERT_MANAGER_IMAGES,
    "traefik-public": TRAEFIK_IMAGES,
    "argo-cd": ARGO_CD_IMAGES,
    "kube-prometheus-stack": KUBE_PROMETHEUS_STACK_IMAGES,
    "prometheus-blackbox-exporter": BLACKBOX_IMAGES,
    "rook-ceph": ROOK_OPERATOR_IMAGES,
    "rook-ceph-cluster": ROOK_CLUSTER_IMAGES,
    kyverno: KYVERNO_IMAGES,
    loki: LOKI_IMAGES,
    "fluent-bit": FLUENT_BIT_IMAGES,
    velero: VELERO_IMAGES,
  };
  /** Docker Hub's short names, as charts write them ("memcached", "prom/x"), in canonical form. */
  const canonical = (ref: unknown) =>
    typeof ref !== "string" || /^[^/]+\.[^/]+\//.test(ref) ? ref : `docker.io/${ref.includes("/") ? ref : `library/${ref}`}`;
  it.each(Object.entries(declared))("%s sets none of its image fields", (name, fields) => {
    for (const f of fields) {
      const paths = f.kind === "split" ? [f.registryPath, f.repositoryPath] : [f.path];
      for (const p of paths) expect(valueAt(releases[name].values, p)).toBeUndefined();
    }
  });
  it.each(Object.keys(RELEASE_CHART_DIR))("%s: chart from its upstream repository", (name) => {
    const pin = Object.values(CHARTS).find((c) => c.version === releases[name].version && c.chart === releases[name].chart);
    expect(releases[name].repository).toBe(pin?.repository);
  });
  it("no registry credentials are asked for", () => {
    expect(json.variable?.helm_registry_password).toBeUndefined();
  });

  it.each(Object.entries(declared))("%s: declared upstream images equal the chart's values.yaml", (name, fields) => {
    const chartDir = RELEASE_CHART_DIR[name]!;
    const upstream = upstreamFor(chartDir);
    for (const f of fields) {
      if (f.kind === "split") {
        // Traefik: both null in values.yaml, defaults in the templates (documented in values.yaml comments).
        expect(valueAt(upstream, f.registryPath)).toBeNull();
        continue;
      }
      const actual = valueAt(upstream, f.path);
      // Kyverno's controllers leave `registry` null and name the upstream in `defaultRegistry` beside it.
      if (actual === null && f.kind === "registry") {
        expect([f.path, valueAt(upstream, f.path.replace(/registry$/, "defaultRegistry"))]).toEqual([f.path, f.upstream]);
        continue;
      }
      if (actual === undefined) continue; // subchart/commented field (allow-listed in values.test with the reason)
      expect([f.path, f.kind === "ref" ? canonical(actual) : actual]).toEqual([f.path, f.upstream]);
    }
  });
});
