/**
 * THE pinned chart versions: one row per chart, mirroring __tests__/reference/SOURCES.md (and README's
 * "Chart versions" table, which a test keeps equal to this one). Exact versions only: a range would let
 * an upstream release change a plan without a commit. Bump a chart here and nowhere else.
 */
export interface ChartPin {
  /** Chart name in its repository (and in the OCI mirror: `<chartRepository>/<chart>`). */
  readonly chart: string;
  /** Upstream Helm repository (https index) the chart is published to. */
  readonly repository: string;
  /** Exact published version (Rook and Calico publish with a leading "v"). */
  readonly version: string;
}

export const CHARTS = {
  /** Calico's CRDs: since v3.32 no longer in tigera-operator (projectcalico/calico#11727, #12860). */
  calicoCrds: { chart: "crd.projectcalico.org.v1", repository: "https://docs.tigera.io/calico/charts", version: "v3.32.1" },
  tigeraOperator: { chart: "tigera-operator", repository: "https://docs.tigera.io/calico/charts", version: "v3.32.1" },
  certManager: { chart: "cert-manager", repository: "https://charts.jetstack.io", version: "v1.21.1" },
  /** Renders plain manifests: the ClusterIssuer and its CA Secret, after cert-manager's CRDs and webhook exist. */
  raw: { chart: "raw", repository: "https://bedag.github.io/helm-charts", version: "2.0.2" },
  traefik: { chart: "traefik", repository: "https://traefik.github.io/charts", version: "41.3.0" },
  argoCd: { chart: "argo-cd", repository: "https://argoproj.github.io/argo-helm", version: "10.1.1" },
  argocdApps: { chart: "argocd-apps", repository: "https://argoproj.github.io/argo-helm", version: "2.0.5" },
  kubePrometheusStack: { chart: "kube-prometheus-stack", repository: "https://prometheus-community.github.io/helm-charts", version: "88.5.3" },
  blackboxExporter: { chart: "prometheus-blackbox-exporter", repository: "https://prometheus-community.github.io/helm-charts", version: "11.17.2" },
  rookCeph: { chart: "rook-ceph", repository: "https://charts.rook.io/release", version: "v1.20.6" },
  rookCephCluster: { chart: "rook-ceph-cluster", repository: "https://charts.rook.io/release", version: "v1.20.6" },
  /** Admission policies for tenant workloads (our ClusterPolicies go through `raw`: CRs need the CRDs first). */
  kyverno: { chart: "kyverno", repository: "https://kyverno.github.io/kyverno/", version: "3.9.0" },
  /** Log store: SingleBinary on sandbox/dev, SimpleScalable on prod, chunks and index on the object store. */
  loki: { chart: "loki", repository: "https://grafana.github.io/helm-charts", version: "7.3.0" },
  /** Log collector: a DaemonSet on every node (container logs and the kubelet/containerd journal). */
  fluentBit: { chart: "fluent-bit", repository: "https://fluent.github.io/helm-charts", version: "0.58.1" },
  /**
   * The VolumeSnapshot CRDs (snapshot.storage.k8s.io v1, groupsnapshot v1beta2) and the snapshot controller of
   * kubernetes-csi/external-snapshotter v8.6.0 (the appVersion): Velero's CSI snapshots of Ceph volumes.
   */
  snapshotController: { chart: "snapshot-controller", repository: "https://piraeus.io/helm-charts/", version: "5.2.0" },
  /** Backups of tenant namespaces and platform state to the object store (Velero 1.18.1). */
  velero: { chart: "velero", repository: "https://vmware-tanzu.github.io/helm-charts", version: "12.1.0" },
} as const satisfies Record<string, ChartPin>;

export type ChartKey = keyof typeof CHARTS;
