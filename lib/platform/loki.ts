import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { ObjectStoreSettings } from "../config/backups";
import { REGENERATED_LABEL } from "../config/labels";
import type { LogsSettings } from "../config/logs";
import type { ImageField } from "./air-gap";
import { CHARTS } from "./chart-versions";
import { HelmAddon } from "./helm-addon";
import { CEPH_BLOCK_STORAGE_CLASS, NAMESPACE } from "./names";
import { CEPH_OBJECT_STORE, OBJECT_STORE_GATEWAY_PORT } from "./object-store";
import { addonOverrides, type PlatformContext } from "./platform-context";

/** Helm release (and fullname) of Loki: its Services are `loki` (SingleBinary) or `loki-write`/`loki-read`/`loki-backend`. */
export const LOKI_RELEASE = "loki";
/** Loki's HTTP port (loki.server.http_listen_port): push API, queries, /metrics. */
export const LOKI_HTTP_PORT = 3100;
/** Loki's gRPC port (loki.server.grpc_listen_port): between Loki pods (same namespace). */
export const LOKI_GRPC_PORT = 9095;

/**
 * The in-cluster object store (sandbox/dev without `backups.objectStore`): Rook's default Service for a
 * CephObjectStore, `rook-ceph-rgw-<store>` in the rook-ceph namespace, plain HTTP inside the cluster (the
 * https://s3.<domain> ingress is for clients outside it).
 */
export const IN_CLUSTER_OBJECT_STORE_SERVICE = { name: `rook-ceph-rgw-${CEPH_OBJECT_STORE}`, namespace: NAMESPACE.rook, port: OBJECT_STORE_GATEWAY_PORT } as const;

/** Secret Terraform writes with the S3 keys, read by every Loki pod as environment variables (never in values). */
export const LOKI_S3_SECRET = "loki-object-store";
/** Where the object store's CA (external store with `caPem`) is mounted in the Loki pods. */
const S3_CA_DIR = "/etc/loki/object-store-ca";

/** The S3 endpoint as Loki's s3 client takes it: host[:port], with `insecure` meaning plain HTTP. */
export function lokiS3Endpoint(store: ObjectStoreSettings): { endpoint: string; insecure: boolean } {
  if (store.kind === "in-cluster") {
    const s = IN_CLUSTER_OBJECT_STORE_SERVICE;
    return { endpoint: `${s.name}.${s.namespace}.svc:${s.port}`, insecure: true };
  }
  return { endpoint: new URL(store.endpoint).host, insecure: false };
}

/**
 * Every image of the loki chart, including those of components we leave off (gateway, canary, caches, helm
 * test, enterprise, minio): an override that turns one on still pulls from the mirror.
 */
export const LOKI_IMAGES: readonly ImageField[] = [
  ...["loki", "enterprise", "test", "lokiCanary", "gateway", "sidecar"].map((c): ImageField => ({ kind: "registry", path: `${c}.image.registry`, upstream: "docker.io" })),
  { kind: "registry", path: "enterprise.provisioner.image.registry", upstream: "us-docker.pkg.dev" },
  // Docker Hub short names in values.yaml ("memcached" is docker.io/library/memcached).
  { kind: "ref", path: "memcached.image.repository", upstream: "docker.io/library/memcached" },
  { kind: "ref", path: "memcachedExporter.image.repository", upstream: "docker.io/prom/memcached-exporter" },
  { kind: "ref", path: "minio.image.repository", upstream: "docker.io/pgsty/minio" },
  { kind: "ref", path: "minio.mcImage.repository", upstream: "docker.io/pgsty/mc" },
];

/** Where Fluent Bit pushes and Grafana queries: the write and read paths (one Service in SingleBinary mode). */
export function lokiServices(context: PlatformContext): { push: string; query: string } {
  const url = (service: string) => `http://${service}.${NAMESPACE.logging}.svc:${LOKI_HTTP_PORT}`;
  return context.rules.loki.mode === "SingleBinary"
    ? { push: url(LOKI_RELEASE), query: url(LOKI_RELEASE) }
    : { push: url(`${LOKI_RELEASE}-write`), query: url(`${LOKI_RELEASE}-read`) };
}

/** The Loki values that depend on the environment (tests read them back). */
export function lokiValues(context: PlatformContext, logs: LogsSettings, store: ObjectStoreSettings): Record<string, unknown> {
  const { mode, replicas, volumeGiB } = context.rules.loki;
  const single = mode === "SingleBinary";
  const s3 = lokiS3Endpoint(store);
  const bucket = store.buckets.loki;
  const volume = { storageClass: CEPH_BLOCK_STORAGE_CLASS, size: `${volumeGiB}Gi` };
  const caMount = store.caPem !== undefined;
  return {
    deploymentMode: mode,
    loki: {
      // One tenant (the platform): multi-tenancy needs an authenticating gateway in front and X-Scope-OrgID on every
      // client; the namespace's NetworkPolicies already say who may push and query.
      auth_enabled: false,
      commonConfig: { replication_factor: single ? 1 : 3 },
      schemaConfig: {
        // Fixed start date: a schema entry must never move once logs were written under it.
        configs: [{ from: "2024-04-01", store: "tsdb", object_store: "s3", schema: "v13", index: { prefix: "loki_index_", period: "24h" } }],
      },
      storage: {
        type: "s3",
        // One bucket per environment and purpose (backups.ts); chunks, index and the (unused) ruler share it under their prefixes.
        bucketNames: { chunks: bucket, ruler: bucket, admin: bucket },
        s3: {
          endpoint: s3.endpoint,
          region: store.region,
          s3ForcePathStyle: true,
          insecure: s3.insecure,
          // Expanded by Loki from the pods' environment (-config.expand-env): the keys never enter values or the ConfigMap.
          // "$${" is Terraform's escape for a literal "${".
          accessKeyId: "$${AWS_ACCESS_KEY_ID}",
          secretAccessKey: "$${AWS_SECRET_ACCESS_KEY}",
          ...(caMount ? { http_config: { ca_file: `${S3_CA_DIR}/ca.crt` } } : {}),
        },
      },
      // Retention is the compactor's job: it marks chunks older than retention_period and deletes them after
      // retention_delete_delay; delete requests are kept in the same object store.
      compactor: { retention_enabled: true, delete_request_store: "s3", retention_delete_delay: "2h", compaction_interval: "10m" },
      limits_config: { retention_period: `${logs.retentionDays * 24}h` },
    },
    global: {
      extraArgs: ["-config.expand-env=true"],
      extraEnvFrom: [{ secretRef: { name: LOKI_S3_SECRET } }],
      ...(caMount
        ? {
            extraVolumes: [{ name: "object-store-ca", configMap: { name: "loki-object-store-ca" } }],
            extraVolumeMounts: [{ name: "object-store-ca", mountPath: S3_CA_DIR, readOnly: true }],
          }
        : {}),
    },
    ...(caMount ? { extraObjects: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "loki-object-store-ca" }, data: { "ca.crt": store.caPem } }] } : {}),
    // Volumes: the ingesters' WAL (single binary, write) and the compactor's working files (backend).
    singleBinary: { replicas: single ? replicas : 0, persistence: { enabled: true, ...volume } },
    write: { replicas: single ? 0 : replicas, persistence: { volumeClaimsEnabled: true, ...volume } },
    read: { replicas: single ? 0 : replicas },
    backend: { replicas: single ? 0 : replicas, persistence: { volumeClaimsEnabled: true, ...volume } },
  };
}

export interface LokiProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  readonly logs: LogsSettings;
  /** Where chunks and index go, and the keys (sensitive tokens) Loki signs its requests with. */
  readonly objectStore: { readonly settings: ObjectStoreSettings; readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The pod network, the logging namespace (and its NetworkPolicies), and kube-prometheus-stack (ServiceMonitor CRD). */
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * Loki (grafana/loki chart): SingleBinary on sandbox/dev, SimpleScalable (write/read/backend, 3 each) on prod,
 * schema v13 with the TSDB index, chunks and index in the environment's `<prefix>-loki` bucket, retention by the
 * compactor. Stateful: the WAL volumes and the bucket hold the logs (the review gate refuses its uninstall).
 *
 * Left off, each for a reason: the nginx gateway (one tenant, no auth: clients talk to the read/write Services),
 * the memcached caches (query speed only; small sites query little, and they are pods to size), the canary and
 * helm test (the ServiceMonitor and the log-pipeline alerts watch ingestion), minio (the object store is given).
 */
export class Loki extends Construct {
  readonly addon: HelmAddon;
  /** The S3 keys as environment variables for the Loki pods (sensitive; labelled regenerated: Terraform rewrites it). */
  readonly credentials: SecretV1;

  constructor(scope: Construct, id: string, props: LokiProps) {
    super(scope, id);
    const { context, objectStore } = props;
    this.credentials = new SecretV1(this, "object-store-keys", {
      metadata: { name: LOKI_S3_SECRET, namespace: NAMESPACE.logging, labels: { "app.kubernetes.io/part-of": "loki", ...REGENERATED_LABEL } },
      type: "Opaque",
      data: { AWS_ACCESS_KEY_ID: objectStore.accessKeyId, AWS_SECRET_ACCESS_KEY: objectStore.secretAccessKey },
      dependsOn: [...props.dependsOn],
    });
    this.addon = new HelmAddon(this, "helm", {
      releaseName: LOKI_RELEASE,
      chart: CHARTS.loki,
      namespace: NAMESPACE.logging,
      mirror: context.mirror,
      defaults: {
        gateway: { enabled: false },
        chunksCache: { enabled: false },
        resultsCache: { enabled: false },
        lokiCanary: { enabled: false },
        test: { enabled: false },
        minio: { enabled: false },
        // Loki's own metrics for the log-pipeline alerts; no Grafana Agent MetricsInstance (that operator is not installed).
        monitoring: { serviceMonitor: { enabled: true, metricsInstance: { enabled: false } } },
      },
      environment: lokiValues(context, props.logs, objectStore.settings),
      images: LOKI_IMAGES,
      overrides: addonOverrides(context, "loki"),
      // StatefulSets with volumes on Ceph, rolled one pod at a time on prod.
      timeoutSeconds: 900,
      dependsOn: [...props.dependsOn, this.credentials],
    });
  }
}
