import { deepMerge } from "../../lib/platform/values";
import { acmeTls, ACME_CA, environment, OIDC, withLoadBalancer } from "./fixtures";
import { AllowList, checkPath, documentedUpstream, unknownKeys } from "./keys";
import { synthPlatform } from "./synth";
import { IN_CLUSTER_STORE_RELEASES, RELEASE_CHART_DIR, upstreamValues, upstreamValuesText } from "./upstream";

/**
 * Places where the upstream values.yaml documents a free-form map, a list without an example element,
 * or a commented-out option. Every entry says why it may hold keys values.yaml does not list; a test
 * below checks that each entry is really documented upstream (as a key or in a comment), except the
 * entries marked SUBCHART, whose values.yaml is not vendored in __tests__/reference/charts.
 */
const ALLOW: Record<string, AllowList> = {
  "tigera-operator": {
    "installation.calicoNetwork": "commented out in values.yaml; schema is the operator's Installation.spec.calicoNetwork",
    "installation.registry": "commented out in values.yaml (General Image Settings); Installation.spec.registry",
  },
  traefik: {
    "service.spec": "documented: 'Additional entries here will be added to the Service spec'",
    tlsStore: "map of TLSStore specs keyed by name (templates/tlsstore.yaml renders spec as given); our default store names a Secret",
    extraObjects: "list of Kubernetes objects rendered as given: our cert-manager Certificate, validated against cert-manager's CRD schema (tls.test)",
    "ports.web.http.redirections.entryPoint": "{} in values.yaml; its comment names the keys (to, scheme, permanent, priority), which templates/_podtemplate.tpl reads (traefik.test)",
  },
  "argo-cd": {
    "server.ingress.annotations": "free-form map of Ingress annotations (cert-manager's cluster-issuer)",
    "configs.params": "free-form map of argocd-cmd-params-cm keys (server.insecure, ...)",
    "configs.cm": "free-form map of argocd-cm keys (admin.enabled, ...)",
    "configs.repositories": "map of repository Secrets keyed by name (url, type, name, username, password), examples in comments",
    "configs.tls.certificates": "map of Git server host -> PEM certificate, example in comments",
    "configs.rbac": "argocd-rbac-cm keys (policy.default, policy.csv, scopes): keys with dots, which a dotted path cannot address",
    "configs.secret.extra": "free-form map of extra argocd-secret keys (our oidc.clientSecret, through set_sensitive only)",
    "redis-ha.enabled": "SUBCHART redis-ha 4.38.0 condition (in values.yaml)",
  },
  "argocd-apps": {
    applications: "map of Application specs keyed by name (examples in comments); validated with @kubernetes-models/argo-cd",
    projects: "map of AppProject specs keyed by name (examples in comments); validated with @kubernetes-models/argo-cd",
  },
  "kube-prometheus-stack": {
    additionalPrometheusRulesMap: "map of PrometheusRule specs keyed by name; validated with @kubernetes-models/prometheus-operator",
    "alertmanager.config": "the Alertmanager configuration file itself (prometheus.io/docs/alerting/configuration), not chart values",
    "alertmanager.alertmanagerSpec.storage": "StorageSpec of the Alertmanager CR (volumeClaimTemplate example in comments)",
    "prometheus.prometheusSpec.storageSpec": "StorageSpec of the Prometheus CR (volumeClaimTemplate example in comments)",
    "prometheus.ingress.annotations": "free-form map of Ingress annotations (cert-manager's cluster-issuer)",
    "prometheus.ingress.tls": "list of Ingress tls entries (secretName + hosts example in comments)",
    "alertmanager.ingress.annotations": "free-form map of Ingress annotations (cert-manager's cluster-issuer)",
    "alertmanager.ingress.tls": "list of Ingress tls entries (secretName + hosts example in comments)",
    "grafana.ingress.annotations": "free-form map of Ingress annotations (grafana's values.yaml)",
    "grafana.ingress.tls": "list of Ingress tls entries (secretName + hosts example in comments of grafana's values.yaml)",
    "kubeEtcd.endpoints": "list of control-plane IPs (example in comments)",
    "kubeScheduler.endpoints": "list of control-plane IPs (example in comments)",
    "kubeControllerManager.endpoints": "list of control-plane IPs (example in comments)",
    "grafana.ingress.ingressClassName": "commented out in grafana's values.yaml (ingress section)",
    "grafana.additionalDataSources": "list of Grafana data sources (example in comments of kube-prometheus-stack's values.yaml): Loki",
    "grafana.adminPassword": "commented out in grafana's values.yaml; we only pass it through set_sensitive",
    extraManifests: "list of Kubernetes objects (example in comments): the Traefik basicAuth Middleware and Grafana's OIDC CA ConfigMap",
    "grafana.grafana.ini": "grafana.ini itself (grafana.com/docs configuration), not chart values: server.root_url, auth.generic_oauth, auth",
    "grafana.extraConfigmapMounts[]": "ConfigMap mounts (name, mountPath, configMap, readOnly in comments of grafana's values.yaml): the issuer's CA",
    "grafana.envRenderSecret": "free-form map of environment variables rendered into a Secret: the OIDC client secret, through set_sensitive only",
    "kube-state-metrics.image.registry": "SUBCHART kube-state-metrics 8.4.0 (values.yaml not copied): image.registry",
    "prometheus-node-exporter.image.registry": "SUBCHART prometheus-node-exporter 4.56.1 (values.yaml not copied): image.registry",
  },
  "prometheus-blackbox-exporter": {
    extraManifests: "list of Kubernetes objects (our Probes, validated with @kubernetes-models/prometheus-operator, and the CA Secret)",
    extraSecretMounts: "list of Secret mounts (name, mountPath, secretName, readOnly example in comments)",
    extraConfigmapMounts: "list of ConfigMap mounts (name, mountPath, configMap, readOnly example in comments): the cluster CA from kube-root-ca.crt",
    "config.modules.http_2xx.http": "blackbox_exporter's http_probe configuration (not chart values): tls_config.ca_file per its CONFIGURATION.md",
    "config.modules": "blackbox_exporter's modules by name (http_2xx is the example): our http_2xx_admin_ui adds basic_auth.password_file",
  },
  loki: {
    "loki.schemaConfig": "Loki's schema_config (documented: 'a real Loki install requires a proper schemaConfig'; testSchemaConfig shows the shape)",
    "loki.storage.bucketNames": "commented out in values.yaml (chunks, ruler, admin: FIXME)",
    "loki.compactor": "Loki's compactor block, rendered as given ('Optional compactor configuration'): retention_enabled, delete_request_store, ...",
    "loki.limits_config": "Loki's limits_config, rendered as given: retention_period",
    "global.extraEnvFrom": "list of envFrom sources (secretRef example in comments): the S3 keys' Secret",
    "global.extraVolumes": "list of Pod volumes: the object store's CA ConfigMap",
    "global.extraVolumeMounts": "list of volume mounts: the object store's CA",
    extraObjects: "list of Kubernetes objects rendered as given: the object store's CA ConfigMap",
  },
  "fluent-bit": {
    env: "list of container env vars (examples in comments): NODE_NAME from the downward API",
    tolerations: "list of Pod tolerations (Kubernetes API)",
    "config.extraFiles": "map of file name -> content (examples in comments): the forward collector's CA",
  },
  kyverno: {
    "crds.annotations": "free-form map of annotations on every CRD (examples in comments): our helm.sh/resource-policy keep",
  },
  raw: {
    resources: "list of Kubernetes objects rendered as given (PriorityClass examples in comments): our ClusterIssuer + CA Secret, validated against cert-manager's CRD schema (tls.test); the ClusterPolicies, against Kyverno's (kyverno.test)",
  },
  "rook-ceph": {
    "ceph-csi-operator.controllerManager.manager.image": "SUBCHART ceph-csi-operator (values.yaml not copied): controllerManager.manager.image.repository",
  },
  velero: {
    initContainers: "list of init containers (the velero-plugin-for-aws example in comments): the S3 plugin, the only way the chart takes one",
    "configuration.backupStorageLocation[].config": "provider-specific map (region, s3ForcePathStyle, s3Url listed in comments)",
    schedules: "map of Schedule specs keyed by name (example in comments); the template is Velero's BackupSpec, checked by backups.test",
  },
  "snapshot-controller": {
    "controller.securityContext": "the container's securityContext (Kubernetes API; values.yaml lists capabilities, readOnlyRootFilesystem, runAsNonRoot, runAsUser): our seccompProfile and allowPrivilegeEscalation for Pod Security restricted",
  },
  "rook-ceph-cluster": {
    "cephClusterSpec.storage.nodes": "commented out in values.yaml; CephCluster spec.storage.nodes (name + devicePathFilter)",
    // Keys such as "csi.storage.k8s.io/fstype" contain dots, which a dotted path cannot address anyway.
    "cephBlockPools[].storageClass.parameters": "StorageClass parameters: free-form map of the RBD provisioner's parameters",
    "cephBlockPools[].spec": "CephBlockPool spec (Rook CRD): requireSafeReplicaSize is documented there, not in values.yaml",
    "cephBlockPoolsVolumeSnapshotClass.labels": "free-form map of the VolumeSnapshotClass's labels (empty in values.yaml): Velero's velero.io/csi-volumesnapshot-class",
  },
};

/** The values Helm sees for a chart: the chart's own values.yaml, plus subcharts copied alongside. */
function upstreamFor(chartDir: string): Record<string, unknown> {
  const own = upstreamValues(chartDir);
  // kube-prometheus-stack's `grafana:` block is the grafana subchart's values (__tests__/reference/charts/grafana).
  return chartDir === "kube-prometheus-stack" ? deepMerge({ grafana: upstreamValues("grafana") }, own) : own;
}

const CASES = [
  ["sandbox", environment("sandbox")],
  ["prod", environment("prod")],
  ["prod with mirror", environment("prod", { mirror: true })],
  ["prod with load balancer and ACME", environment("prod", { platform: { ...withLoadBalancer("prod"), ...acmeTls(ACME_CA) } })],
  ["prod with OIDC single sign-on", environment("prod", { oidc: OIDC })],
] as const;

describe.each(CASES)("values of every release (%s) are known to the upstream chart", (_label, env) => {
  const { releases } = synthPlatform(env);

  it("synthesizes every release", () => {
    const expected = Object.keys(RELEASE_CHART_DIR).filter((r) => env.backups?.objectStore === undefined || !IN_CLUSTER_STORE_RELEASES.includes(r));
    expect(Object.keys(releases).sort()).toEqual(expected.sort());
  });

  it.each(Object.entries(RELEASE_CHART_DIR))("%s", (release, chartDir) => {
    const r = releases[release];
    if (!r && IN_CLUSTER_STORE_RELEASES.includes(release)) return; // an external store: no such release (asserted above)
    if (chartDir === null) {
      // Not vendored: then we must not set anything we cannot check.
      expect(r.values).toEqual({});
      expect(r.setSensitive).toEqual([]);
      return;
    }
    const unknown = unknownKeys(r.values, upstreamFor(chartDir), ALLOW[chartDir] ?? {}, r.setSensitive.map((s) => s.name));
    expect(unknown).toEqual([]);
  });
});

describe("the allow-list itself", () => {
  it.each(Object.entries(ALLOW))("every %s entry is documented upstream (or is a named subchart)", (chartDir, allow) => {
    const undocumented = Object.entries(allow)
      .filter(([, why]) => !why.startsWith("SUBCHART"))
      .filter(([path]) => !documentedUpstream(path, upstreamFor(chartDir), upstreamValuesText(chartDir) + (chartDir === "kube-prometheus-stack" ? upstreamValuesText("grafana") : "")))
      .map(([path]) => path);
    expect(undocumented).toEqual([]);
  });
});

describe("the key checker can fail", () => {
  const upstream = upstreamValues("rook-ceph-cluster");
  it("flags a typo", () => {
    expect(unknownKeys({ cephClusterSpec: { mon: { cuont: 3 } } }, upstream, {})).toEqual([
      "cephClusterSpec.mon.cuont: unknown key (not in upstream values.yaml)",
    ]);
  });
  it("flags keys under an upstream empty map unless allow-listed", () => {
    expect(checkPath("ingress.dashboard.host.name", upstream, {})).toMatch(/unknown key/);
    expect(checkPath("ingress.dashboard.host.name", upstream, { "ingress.dashboard": "free-form" })).toBeUndefined();
  });
  it("checks list elements against the upstream example element", () => {
    expect(checkPath("cephBlockPools[].storageClass.isDefault", upstream, {})).toBeUndefined();
    expect(checkPath("cephBlockPools[].storageClass.isDefualt", upstream, {})).toMatch(/isDefualt: unknown key/);
  });
  it("checks --set paths with indices", () => {
    expect(checkPath("cephBlockPools[0].name", upstream, {})).toBeUndefined();
  });
});
