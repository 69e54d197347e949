import { readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import { REFERENCE_DIR } from "../reference/sources";

/** Upstream charts vendored in the repo (__tests__/reference/SOURCES.md). */
export const CHARTS_DIR = join(REFERENCE_DIR, "charts");

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

/** Helm release name → directory of its chart in __tests__/reference/charts (null: chart not vendored). */
export const RELEASE_CHART_DIR: Record<string, string | null> = {
  "calico-crds": null, // CRD-only chart, not vendored; we set no value (asserted in values.test)
  calico: "tigera-operator",
  "cert-manager": "cert-manager",
  "cluster-issuer": "raw",
  "traefik-crds": "raw",
  "traefik-public": "traefik",
  "traefik-admin": "traefik",
  "argo-cd": "argo-cd",
  "argocd-apps": "argocd-apps",
  "argocd-default-project": "raw",
  "kube-prometheus-stack": "kube-prometheus-stack",
  "prometheus-blackbox-exporter": "prometheus-blackbox-exporter",
  "rook-ceph": "rook-ceph",
  "rook-ceph-cluster": "rook-ceph-cluster",
  kyverno: "kyverno",
  "admission-policies": "raw",
  loki: "loki",
  "fluent-bit": "fluent-bit",
  "object-store": "raw", // in-cluster object store only (sandbox/dev without backups.objectStore)
  velero: "velero",
  "snapshot-controller": "snapshot-controller",
};

/** Releases only an environment with the in-cluster object store has. */
export const IN_CLUSTER_STORE_RELEASES: readonly string[] = ["object-store"];
