import { readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";

/** ../shared/charts relative to the repository root (tests run from the root). */
export const CHARTS_DIR = join(__dirname, "..", "..", "..", "shared", "charts");

const cache = new Map<string, Record<string, unknown>>();

export function upstreamValuesText(chartDir: string): string {
  return readFileSync(join(CHARTS_DIR, chartDir, "values.yaml"), "utf8");
}

export function upstreamValues(chartDir: string): Record<string, unknown> {
  let v = cache.get(chartDir);
  if (!v) {
    v = (parse(upstreamValuesText(chartDir)) ?? {}) as Record<string, unknown>;
    cache.set(chartDir, v);
  }
  return v;
}

/** Helm release name → directory of its chart in ../shared/charts (null: chart not copied there). */
export const RELEASE_CHART_DIR: Record<string, string | null> = {
  "calico-crds": null, // CRD-only chart, not in ../shared/charts; we set no value (asserted in values.test)
  calico: "tigera-operator",
  "traefik-public": "traefik",
  "traefik-admin": "traefik",
  "argo-cd": "argo-cd",
  "argocd-apps": "argocd-apps",
  "kube-prometheus-stack": "kube-prometheus-stack",
  "prometheus-blackbox-exporter": "prometheus-blackbox-exporter",
  "rook-ceph": "rook-ceph",
  "rook-ceph-cluster": "rook-ceph-cluster",
};
