import type { ChartKey } from "../platform/chart-versions";

/**
 * The images each pinned chart runs, at its pinned version, where its values cannot tell: a tag left empty
 * (the chart's appVersion), a repository only in the templates, a subchart whose values.yaml is not vendored,
 * images an operator starts later (Calico's components, Ceph CSI). The bill of materials starts from these
 * rows and lets the release's effective values win (a tag or repository set there replaces the row's).
 *
 * Adding a chart: one entry keyed like CHARTS, `version` equal to its pin, one row per image. Rows without
 * `origin` are checked against the vendored values.yaml (__tests__/bom/chart-images.test.ts); a row with
 * `origin` says where it comes from, and `unverified` marks a tag transcribed from a file not vendored here
 * (`npm run bom -- --verify` then finds a wrong one as missing on the mirror).
 * Bumping a chart in CHARTS without its entry here fails the bill of materials with a message naming both.
 */
export interface ChartImageRow {
  /** Values path of the image object (`x.image`), or of the object holding an `image` string; "" when no value holds it. */
  readonly path: string;
  /** `<registry>/<repository>:<tag>`; `{kubernetes}` stands for the cluster's version (`v1.35.9`). */
  readonly image: string;
  readonly origin?: string;
  readonly unverified?: true;
}

export interface ChartImages {
  /** The chart version these rows are for: must equal the pin in CHARTS. */
  readonly version: string;
  readonly images: readonly ChartImageRow[];
}

const APP = "tag empty in values: the chart's appVersion";

/** Components tigera/operator v1.42.3 starts for Calico v3.32.1 (`<installation.registry>calico/<name>:v3.32.1`). */
const CALICO_OPERATOR_COMPONENTS = [
  "node", "cni", "typha", "kube-controllers", "pod2daemon-flexvol", "csi", "node-driver-registrar",
  "apiserver", "goldmane", "whisker", "whisker-backend",
] as const;

export const CHART_IMAGES: Partial<Record<ChartKey, ChartImages>> = {
  calicoCrds: { version: "v3.32.1", images: [] },
  tigeraOperator: {
    version: "v3.32.1",
    images: [
      { path: "tigeraOperator", image: "quay.io/tigera/operator:v1.42.3" },
      { path: "calicoctl", image: "quay.io/calico/ctl:v3.32.1" },
      ...CALICO_OPERATOR_COMPONENTS.map((name): ChartImageRow => ({
        path: "",
        image: `quay.io/calico/${name}:v3.32.1`,
        origin: "started by tigera/operator v1.42.3 (Calico v3.32.1 release: the operator's pinned component versions)",
      })),
    ],
  },
  certManager: {
    version: "v1.21.1",
    images: ["controller", "webhook", "cainjector", "acmesolver", "startupapicheck"].map((component): ChartImageRow => ({
      path: component === "controller" ? "image" : `${component}.image`,
      image: `quay.io/jetstack/cert-manager-${component}:v1.21.1`,
      origin: `template default <imageRegistry>/jetstack/cert-manager-${component} (repository empty in values), ${APP}`,
    })),
  },
  raw: { version: "2.0.2", images: [] },
  traefik: {
    version: "41.3.0",
    images: [{ path: "image", image: "docker.io/library/traefik:v3.7.11", origin: `template default (registry and repository null in values), ${APP}` }],
  },
  argoCd: {
    version: "10.1.1",
    images: [
      { path: "global.image", image: "quay.io/argoproj/argocd:v3.4.4" },
      { path: "dex.image", image: "ghcr.io/dexidp/dex:v2.45.1" },
      { path: "redis.image", image: "ecr-public.aws.com/docker/library/redis:8.2.3-alpine" },
      { path: "redis.exporter.image", image: "ghcr.io/oliver006/redis_exporter:v1.86.0" },
      { path: "redis-ha.image", image: "ecr-public.aws.com/docker/library/redis:8.2.3-alpine" },
      { path: "redis-ha.exporter", image: "ghcr.io/oliver006/redis_exporter:v1.75.0" },
      { path: "redis-ha.haproxy.image", image: "ecr-public.aws.com/docker/library/haproxy:3.0.8-alpine", origin: "redis-ha 4.38.0 values.yaml haproxy.image.tag (subchart, not vendored)", unverified: true },
      { path: "server.extensions.image", image: "quay.io/argoprojlabs/argocd-extension-installer:v1.0.1" },
    ],
  },
  argocdApps: { version: "2.0.5", images: [] },
  kubePrometheusStack: {
    version: "88.5.3",
    images: [
      { path: "alertmanager.alertmanagerSpec.image", image: "quay.io/prometheus/alertmanager:v0.34.0" },
      { path: "prometheus.prometheusSpec.image", image: "quay.io/prometheus/prometheus:v3.14.0-distroless" },
      { path: "prometheusOperator.image", image: "quay.io/prometheus-operator/prometheus-operator:v0.93.1" },
      { path: "prometheusOperator.prometheusConfigReloader.image", image: "quay.io/prometheus-operator/prometheus-config-reloader:v0.93.1" },
      { path: "prometheusOperator.thanosImage", image: "quay.io/thanos/thanos:v0.42.4" },
      { path: "prometheusOperator.admissionWebhooks.deployment.image", image: "quay.io/prometheus-operator/admission-webhook:v0.93.1" },
      { path: "prometheusOperator.admissionWebhooks.patch.image", image: "ghcr.io/jkroepke/kube-webhook-certgen:1.8.7" },
      { path: "thanosRuler.thanosRulerSpec.image", image: "quay.io/thanos/thanos:v0.42.4" },
      { path: "crds.upgradeJob.image.busybox", image: "docker.io/busybox:latest" },
      { path: "crds.upgradeJob.image.kubectl", image: "registry.k8s.io/kubectl:{kubernetes}", origin: "tag empty in values: the cluster's Kubernetes version" },
      { path: "kube-state-metrics.image", image: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.17.0", origin: "kube-state-metrics 8.4.0 (subchart, not vendored): appVersion", unverified: true },
      { path: "prometheus-node-exporter.image", image: "quay.io/prometheus/node-exporter:v1.10.2", origin: "prometheus-node-exporter 4.56.1 (subchart, not vendored): appVersion", unverified: true },
      // grafana 12.11.1 subchart (__tests__/reference/charts/grafana)
      { path: "grafana.image", image: "docker.io/grafana/grafana:13.2.0" },
      { path: "grafana.testFramework.image", image: "docker.io/bats/bats:1.14.0" },
      { path: "grafana.downloadDashboardsImage", image: "docker.io/curlimages/curl:8.21.0" },
      { path: "grafana.initChownData.image", image: "docker.io/library/busybox:1.38.0" },
      { path: "grafana.sidecar.image", image: "quay.io/kiwigrid/k8s-sidecar:2.10.1" },
      { path: "grafana.imageRenderer.image", image: "docker.io/grafana/grafana-image-renderer:latest" },
    ],
  },
  blackboxExporter: {
    version: "11.17.2",
    images: [
      { path: "image", image: "quay.io/prometheus/blackbox-exporter:v0.28.0" },
      { path: "configReloader.image", image: "quay.io/prometheus-operator/prometheus-config-reloader:v0.93.1" },
    ],
  },
  rookCeph: {
    version: "v1.20.6",
    images: [
      { path: "image", image: "docker.io/rook/ceph:v1.20.6" },
      // CSI driver and sidecars: the operator starts them (values hold the tags).
      { path: "csi.cephcsi", image: "quay.io/cephcsi/cephcsi:v3.17.0" },
      { path: "csi.registrar", image: "registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.17.0" },
      { path: "csi.provisioner", image: "registry.k8s.io/sig-storage/csi-provisioner:v6.2.0" },
      { path: "csi.snapshotter", image: "registry.k8s.io/sig-storage/csi-snapshotter:v8.5.0" },
      { path: "csi.attacher", image: "registry.k8s.io/sig-storage/csi-attacher:v4.12.0" },
      { path: "csi.resizer", image: "registry.k8s.io/sig-storage/csi-resizer:v2.1.0" },
      { path: "csi.csiAddons", image: "quay.io/csiaddons/k8s-sidecar:v0.14.0" },
      { path: "ceph-csi-operator.controllerManager.manager.image", image: "quay.io/cephcsi/ceph-csi-operator:v0.4.1", origin: "ceph-csi-operator 1.0.4 (subchart, not vendored): image tag", unverified: true },
    ],
  },
  rookCephCluster: {
    version: "v1.20.6",
    // The Ceph image the operator runs mons, mgrs, OSDs and RGW from.
    images: [{ path: "cephImage", image: "quay.io/ceph/ceph:v20.2.4" }],
  },
  snapshotController: {
    version: "5.2.0",
    images: [
      // Tags empty in values: the chart's appVersion (external-snapshotter v8.6.0).
      { path: "controller.image", image: "registry.k8s.io/sig-storage/snapshot-controller:v8.6.0" },
      // Off in our values (webhook.enabled false) but named there, so listed: the mirror holds what the values name.
      { path: "webhook.image", image: "registry.k8s.io/sig-storage/snapshot-conversion-webhook:v8.6.0" },
    ],
  },
  velero: {
    version: "12.1.0",
    images: [
      { path: "image", image: "docker.io/velero/velero:v1.18.1" },
      { path: "kubectl.image", image: "registry.k8s.io/kubectl:{kubernetes}", origin: "tag commented out in values: the cluster's Kubernetes version (templates)" },
      // The S3 plugin is an init container in our values (initContainers[0].image, a complete reference).
    ],
  },
  loki: {
    version: "7.3.0",
    images: [
      { path: "loki.image", image: "docker.io/grafana/loki:3.6.11" },
      { path: "enterprise.image", image: "docker.io/grafana/enterprise-logs:3.6.12" },
      { path: "enterprise.provisioner.image", image: "us-docker.pkg.dev/grafanalabs-global/docker-enterprise-provisioner-prod/enterprise-provisioner:latest" },
      { path: "test.image", image: "docker.io/grafana/loki-helm-test:latest" },
      { path: "lokiCanary.image", image: "docker.io/grafana/loki-canary:3.6.12", origin: `tag null in values: ${APP} (3.6.12)`, unverified: true },
      { path: "gateway.image", image: "docker.io/nginxinc/nginx-unprivileged:1.29-alpine" },
      { path: "sidecar.image", image: "docker.io/kiwigrid/k8s-sidecar:2.5.0" },
      { path: "memcached.image", image: "docker.io/library/memcached:1.6.39-alpine" },
      { path: "memcachedExporter.image", image: "docker.io/prom/memcached-exporter:v0.15.4" },
      { path: "minio.image", image: "docker.io/pgsty/minio:RELEASE.2026-03-14T12-00-00Z" },
      { path: "minio.mcImage", image: "docker.io/pgsty/mc:RELEASE.2026-03-13T08-57-32Z" },
    ],
  },
  fluentBit: {
    version: "0.58.1",
    images: [
      { path: "image", image: "cr.fluentbit.io/fluent/fluent-bit:5.1.1", origin: `tag empty in values: ${APP} (5.1.1)` },
      { path: "testFramework.image", image: "docker.io/library/busybox:latest" },
      { path: "hotReload.image", image: "ghcr.io/jimmidyson/configmap-reload:v0.15.0" },
    ],
  },
  kyverno: {
    version: "3.9.0",
    images: [
      ...[
        ["admissionController.initContainer.image", "kyvernopre"],
        ["admissionController.container.image", "kyverno"],
        ["backgroundController.image", "background-controller"],
        ["cleanupController.image", "cleanup-controller"],
        ["reportsController.image", "reports-controller"],
        ["crds.migration.image", "kyverno-cli"],
      ].map(([path, name]): ChartImageRow => ({ path, image: `reg.kyverno.io/kyverno/${name}:v1.19.0`, origin: `registry null in values: the chart's defaultRegistry; ${APP}` })),
      ...["webhooksCleanup.image", "test.image"].map((path): ChartImageRow => ({ path, image: "ghcr.io/kyverno/readiness-checker:v1.19.0", origin: `tag null in values: appVersion (templates: default .Chart.AppVersion)` })),
    ],
  },
};
