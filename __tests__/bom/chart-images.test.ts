import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { CHART_IMAGES, type ChartImageRow } from "../../lib/bom/chart-images";
import { KUBEADM_IMAGE_TABLE, kubeadmImages } from "../../lib/bom/kubeadm-images";
import { pauseImageTag } from "../../lib/cluster/versions";
import type { ImageField } from "../../lib/platform/air-gap";
import { ARGO_CD_IMAGES } from "../../lib/platform/argo-cd";
import { BLACKBOX_IMAGES } from "../../lib/platform/blackbox-exporter";
import { CALICO_IMAGES } from "../../lib/platform/calico";
import { CERT_MANAGER_IMAGES } from "../../lib/platform/cert-manager";
import { CHARTS, type ChartKey } from "../../lib/platform/chart-versions";
import { KUBE_PROMETHEUS_STACK_IMAGES } from "../../lib/platform/kube-prometheus-stack";
import { KYVERNO_IMAGES } from "../../lib/platform/kyverno";
import { ROOK_CLUSTER_IMAGES } from "../../lib/platform/rook-ceph-cluster";
import { ROOK_OPERATOR_IMAGES } from "../../lib/platform/rook-ceph";
import { SNAPSHOT_CONTROLLER_IMAGES } from "../../lib/platform/snapshot-controller";
import { TRAEFIK_IMAGES } from "../../lib/platform/traefik";
import { valueAt } from "../../lib/platform/values";
import { environments } from "../../stacks/app";
import { CHARTS_DIR, upstreamValues } from "../platform/upstream";

/** The vendored chart a row's path reads (kube-prometheus-stack's grafana.* rows: its grafana subchart). */
function vendored(key: ChartKey, row: ChartImageRow): { dir: string; path: string } {
  if (key === "kubePrometheusStack" && row.path.startsWith("grafana.")) return { dir: "grafana", path: row.path.slice("grafana.".length) };
  return { dir: CHARTS[key].chart, path: row.path };
}

function appVersion(dir: string, key: ChartKey): string {
  const chart = parse(readFileSync(join(CHARTS_DIR, dir, "Chart.yaml"), "utf8")) as { appVersion?: string };
  // Rook and Calico package with --app-version <tag>: the file holds a placeholder (charts/PROVENANCE.md).
  return !chart.appVersion || chart.appVersion === "0.0.1" ? CHARTS[key].version : String(chart.appVersion);
}

/** What the vendored values.yaml says the image at `path` is, `<registry>/<repository>:<tag>` (tag "" = appVersion). */
function upstreamImage(dir: string, path: string, fallbackTag: string): string | undefined {
  const node = valueAt(upstreamValues(dir), path) as Record<string, unknown> | undefined;
  if (!node || typeof node !== "object") return undefined;
  const repository = String(node.repository ?? node.image ?? "");
  const registry = node.registry ? `${String(node.registry)}/` : "";
  const tag = String(node.tag ?? node.version ?? "") || fallbackTag;
  return dockerHubCanonical(`${registry}${repository}`) + `:${tag}`;
}

/** What containerd pulls for a Docker Hub short name: "memcached" is docker.io/library/memcached, "prom/x" docker.io/prom/x. */
function dockerHubCanonical(name: string): string {
  const [first, ...rest] = name.split("/");
  if (rest.length === 0) return `docker.io/library/${first}`;
  return first.includes(".") || first.includes(":") || first === "localhost" ? name : `docker.io/${name}`;
}

describe("CHART_IMAGES: the chart defaults of the bill of materials", () => {
  it("has an entry for every pinned chart, for exactly the pinned version", () => {
    for (const key of Object.keys(CHARTS) as ChartKey[]) {
      expect({ key, version: CHART_IMAGES[key]?.version }).toEqual({ key, version: CHARTS[key].version });
    }
  });

  const rows = (Object.keys(CHART_IMAGES) as ChartKey[]).flatMap((key) => CHART_IMAGES[key]!.images.map((row) => [key, row] as const));
  it.each(rows.filter(([, row]) => !row.origin).map(([key, row]) => [`${key} ${row.path}`, key, row] as const))("%s equals the vendored values.yaml", (_, key, row) => {
    const { dir, path } = vendored(key, row);
    expect(upstreamImage(dir, path, appVersion(dir, key))).toBe(row.image);
  });

  it("rows with an origin still point at a values path that exists (or none, for operator-started images)", () => {
    for (const [key, row] of rows.filter(([, r]) => r.origin && !r.unverified && r.path !== "")) {
      const { dir, path } = vendored(key, row);
      expect({ key, path, exists: valueAt(upstreamValues(dir), path) !== undefined }).toEqual({ key, path, exists: true });
    }
  });

  it("the appVersion rows carry the chart's appVersion", () => {
    for (const [key, row] of rows.filter(([, r]) => r.origin?.includes("appVersion") && !r.unverified)) {
      expect(row.image.endsWith(`:${appVersion(CHARTS[key].chart, key)}`)).toBe(true);
    }
  });

  // Every image field an add-on rewrites to the mirror has its row: what is mirrored is what the BOM lists.
  const declared: [ChartKey, readonly ImageField[]][] = [
    ["tigeraOperator", CALICO_IMAGES], ["certManager", CERT_MANAGER_IMAGES], ["traefik", TRAEFIK_IMAGES], ["argoCd", ARGO_CD_IMAGES],
    ["kubePrometheusStack", KUBE_PROMETHEUS_STACK_IMAGES], ["blackboxExporter", BLACKBOX_IMAGES], ["rookCeph", ROOK_OPERATOR_IMAGES],
    ["rookCephCluster", ROOK_CLUSTER_IMAGES], ["kyverno", KYVERNO_IMAGES], ["snapshotController", SNAPSHOT_CONTROLLER_IMAGES],
  ];
  it.each(declared)("every image field of %s has a row with the same upstream", (key, fields) => {
    const table = CHART_IMAGES[key]!.images;
    for (const field of fields) {
      const path = field.kind === "split" ? field.registryPath : field.path;
      const objectPath = path.replace(/\.(registry|repository|image)$/, "");
      // A registry for the whole chart (cert-manager's imageRegistry, Calico's installation.registry): its operator or template rows.
      const chartWide = path === "imageRegistry" || path === "installation.registry";
      const matching = table.filter((row) => (chartWide ? row.origin !== undefined : row.path === objectPath));
      expect({ path, rows: matching.length > 0 }).toEqual({ path, rows: true });
      for (const row of matching) expect(row.image.startsWith(field.upstream)).toBe(true);
    }
  });
});

describe("KUBEADM_IMAGE_TABLE", () => {
  it("has the version of every shipped environment, and its pause tag is containerd's sandbox image", () => {
    for (const env of Object.values(environments)) {
      expect(KUBEADM_IMAGE_TABLE[env.kubernetes.version]?.pause).toBe(pauseImageTag(env.kubernetes.version));
    }
  });

  it("a version without a row fails with the fix (etcd changes in patch releases: rows are per exact version)", () => {
    expect(() => kubeadmImages("1.35.10")).toThrow(/no row "1.35.10" in KUBEADM_IMAGE_TABLE \(lib\/bom\/kubeadm-images.ts\); add etcd, CoreDNS and pause of kubeadm 1.35.10 \(`kubeadm config images list --kubernetes-version v1.35.10`/);
  });

  it("lists what `kubeadm config images list` lists: four control-plane images at the version, CoreDNS, pause, etcd", () => {
    expect(kubeadmImages("1.35.9")).toEqual([
      "registry.k8s.io/kube-apiserver:v1.35.9",
      "registry.k8s.io/kube-controller-manager:v1.35.9",
      "registry.k8s.io/kube-scheduler:v1.35.9",
      "registry.k8s.io/kube-proxy:v1.35.9",
      "registry.k8s.io/coredns/coredns:v1.13.1",
      "registry.k8s.io/pause:3.10.1",
      "registry.k8s.io/etcd:3.6.9-0",
    ]);
  });
});
