import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { ObjectStoreCredentials } from "../backups/object-store-credentials";
import { BUCKET_PURPOSES, IN_CLUSTER_OBJECT_STORE_HOST, type ObjectStoreSettings } from "../config/backups";
import { REGENERATED_LABEL } from "../config/labels";
import { ingressTlsAnnotations } from "./cert-manager";
import { CHARTS } from "./chart-versions";
import { HelmAddon } from "./helm-addon";
import { INGRESS_CLASS, NAMESPACE, OBJECT_STORE_RELEASE } from "./names";
import { addonOverrides, type PlatformContext } from "./platform-context";
import { cephSizing } from "./rook-ceph-cluster";

/** The CephObjectStore; Rook names its gateway Service `rook-ceph-rgw-<store>`. */
export const CEPH_OBJECT_STORE = "ceph-objectstore";
/** The RGW user that owns every bucket; its keys are ObjectStoreCredentials'. */
export const OBJECT_STORE_USER = "platform-backups";
/** Secret (in rook-ceph) with the user's keys, which Rook gives RGW (CephObjectStoreUser spec.keys). */
export const OBJECT_STORE_USER_KEYS_SECRET = "object-store-user-keys";
/** StorageClass of the bucket provisioner (ObjectBucketClaims). */
export const CEPH_BUCKET_STORAGE_CLASS = "ceph-bucket";
/** The Service port of the gateway (Rook's beast frontend listens on 8080 behind it). */
export const OBJECT_STORE_GATEWAY_PORT = 80;

/** The custom resources and the Ingress of the in-cluster store, as Kubernetes objects (tests read them back). */
export function objectStoreManifests(context: PlatformContext, store: ObjectStoreSettings): Record<string, unknown>[] {
  const { replication } = cephSizing(context);
  // Same copies as the RBD pool: a sandbox with one data disk keeps one, prod never gets here (external store).
  const pool = { failureDomain: "host", replicated: { size: replication, requireSafeReplicaSize: replication > 1 } };
  const metadata = (name: string) => ({ name, namespace: NAMESPACE.rook });
  const host = new URL(store.endpoint).hostname;
  return [
    {
      apiVersion: "ceph.rook.io/v1",
      kind: "CephObjectStore",
      metadata: metadata(CEPH_OBJECT_STORE),
      spec: {
        metadataPool: pool,
        dataPool: pool,
        // Deleting the CR (or the release) keeps the pools, and with them every backup.
        preservePoolsOnDelete: true,
        gateway: {
          port: OBJECT_STORE_GATEWAY_PORT,
          instances: Math.min(2, replication),
          resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "2Gi" } },
        },
      },
    },
    {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: CEPH_BUCKET_STORAGE_CLASS },
      // Rook's provisioner name is `<operator namespace>.ceph.rook.io/bucket`.
      provisioner: `${NAMESPACE.rook}.ceph.rook.io/bucket`,
      // Retain: deleting a claim never deletes a bucket of backups.
      reclaimPolicy: "Retain",
      volumeBindingMode: "Immediate",
      parameters: { objectStoreName: CEPH_OBJECT_STORE, objectStoreNamespace: NAMESPACE.rook, region: store.region },
    },
    {
      apiVersion: "ceph.rook.io/v1",
      kind: "CephObjectStoreUser",
      metadata: metadata(OBJECT_STORE_USER),
      spec: {
        store: CEPH_OBJECT_STORE,
        displayName: "etcd snapshots, Velero and Loki",
        keys: [
          {
            accessKeyRef: { name: OBJECT_STORE_USER_KEYS_SECRET, key: "access-key-id" },
            secretKeyRef: { name: OBJECT_STORE_USER_KEYS_SECRET, key: "secret-access-key" },
          },
        ],
      },
    },
    // One claim per bucket, owned by the user above (additionalConfig.bucketOwner), so the one key pair reaches all three.
    ...BUCKET_PURPOSES.map((purpose) => ({
      apiVersion: "objectbucket.io/v1alpha1",
      kind: "ObjectBucketClaim",
      metadata: metadata(store.buckets[purpose]),
      spec: { bucketName: store.buckets[purpose], storageClassName: CEPH_BUCKET_STORAGE_CLASS, additionalConfig: { bucketOwner: OBJECT_STORE_USER } },
    })),
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { ...metadata("s3"), annotations: ingressTlsAnnotations(context.platform, "admin") },
      spec: {
        ingressClassName: INGRESS_CLASS.admin,
        tls: [{ hosts: [host], secretName: `${IN_CLUSTER_OBJECT_STORE_HOST}-tls` }],
        rules: [
          {
            host,
            http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: `rook-ceph-rgw-${CEPH_OBJECT_STORE}`, port: { number: OBJECT_STORE_GATEWAY_PORT } } } }] },
          },
        ],
      },
    },
  ];
}

export interface InClusterObjectStoreProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  /** The keys Terraform generated (KubernetesEnvironment.objectStore, kind in-cluster). */
  readonly objectStore: ObjectStoreCredentials;
  /** The Ceph cluster (its CRDs and pools), cert-manager's issuer (the Ingress' certificate), rook-ceph's policies. */
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * The in-cluster S3 store of sandbox/dev (`objectStoreSettings(env).kind === "in-cluster"`): a Ceph object store
 * (RGW), one user whose keys Terraform generated, the three buckets as ObjectBucketClaims, and `s3.<domain>` on the
 * admin ingress. Custom resources go through the `raw` chart: they need the Rook CRDs of another release first.
 */
export class InClusterObjectStore extends Construct {
  readonly addon: HelmAddon;
  readonly userKeys: SecretV1;

  constructor(scope: Construct, id: string, props: InClusterObjectStoreProps) {
    super(scope, id);
    const { context, objectStore } = props;
    this.userKeys = new SecretV1(this, "user-keys", {
      // Rewritten from the random_password results in state at any time: the review gate's label.
      metadata: { name: OBJECT_STORE_USER_KEYS_SECRET, namespace: NAMESPACE.rook, labels: { "app.kubernetes.io/part-of": OBJECT_STORE_RELEASE, ...REGENERATED_LABEL } },
      data: { "access-key-id": objectStore.accessKeyId, "secret-access-key": objectStore.secretAccessKey },
      dependsOn: [...props.dependsOn],
    });
    this.addon = new HelmAddon(this, "helm", {
      releaseName: OBJECT_STORE_RELEASE,
      chart: CHARTS.raw,
      namespace: NAMESPACE.rook,
      mirror: context.mirror,
      defaults: {},
      environment: { resources: objectStoreManifests(context, objectStore.settings) },
      overrides: addonOverrides(context, "object-store"),
      timeoutSeconds: 300,
      dependsOn: [...props.dependsOn, this.userKeys],
    });
  }
}
