import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Fn, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { ObjectStoreCredentials } from "../backups/object-store-credentials";
import { REGENERATED_LABEL } from "../config/labels";
import { mirroredImage } from "../config/registry-mirror";
import type { ImageField } from "./air-gap";
import { CHARTS } from "./chart-versions";
import { HelmAddon, type SensitiveValue } from "./helm-addon";
import { NAMESPACE } from "./names";
import { addonOverrides, type PlatformContext } from "./platform-context";

export const VELERO_IMAGES: readonly ImageField[] = [
  { kind: "ref", path: "image.repository", upstream: "docker.io/velero/velero" },
  // The CRD upgrade job (upgradeCRDs): its tag follows the cluster's Kubernetes version.
  { kind: "ref", path: "kubectl.image.repository", upstream: "registry.k8s.io/kubectl" },
];

/**
 * The S3 plugin, an init container that copies itself into Velero's plugin directory. v1.14.x is the line for
 * Velero 1.18.x (the chart's 1.18.1): the compatibility table of the plugin's README on its release-1.14 branch.
 * The chart has no field for it, so the mirror rewrite happens here.
 */
export const VELERO_AWS_PLUGIN_IMAGE = "docker.io/velero/velero-plugin-for-aws:v1.14.2";

/** Secret (in `velero`) with the S3 keys in the AWS credentials-file format the plugin reads (key `cloud`). */
export const VELERO_CREDENTIALS_SECRET = "velero-credentials";
export const VELERO_STORAGE_LOCATION = "default";

/**
 * Platform namespaces whose state a rebuilt cluster cannot get back from Git or Terraform: Applications and
 * repositories added through Argo CD's UI, issued certificates and the ACME account key, Grafana's and
 * Alertmanager's objects. Resources only: metrics (Prometheus' volume) are not worth their size.
 */
export const PLATFORM_STATE_NAMESPACES: readonly string[] = [NAMESPACE.argocd, NAMESPACE.certManager, NAMESPACE.monitoring];

/**
 * How the tenants' schedule backs up volume data, on every tier: a CSI snapshot (crash-consistent at one instant,
 * also of PVCs no pod mounts) whose data is moved to the backup bucket. File-system backup stays available per pod
 * (`backup.velero.io/backup-volumes` annotation) for volumes without a CSI driver.
 */
export const TENANT_VOLUME_DATA = { snapshotVolumes: true, snapshotMoveData: true, defaultVolumesToFsBackup: false } as const;

/** Velero's Schedules for an environment: the tenants' (with their volumes) and the platform's. */
export function veleroSchedules(context: PlatformContext, tenantNamespaces: readonly string[]): Record<string, unknown> {
  const { backups } = context.rules;
  const ttl = `${backups.retentionDays * 24}h0m0s`;
  const template = { ttl, storageLocation: VELERO_STORAGE_LOCATION };
  return {
    // An empty includedNamespaces means EVERY namespace to Velero: no tenants, no tenant schedule.
    ...(tenantNamespaces.length > 0 && {
      tenants: {
        schedule: backups.tenantsCron,
        useOwnerReferencesInBackup: false,
        // Each PVC (Ceph RBD) is snapshotted through CSI, then the data mover (node-agent, kopia) copies the snapshot
        // into the same bucket and Velero deletes it: a snapshot left in Ceph would not survive the cluster.
        template: { ...template, includedNamespaces: [...tenantNamespaces], ...TENANT_VOLUME_DATA },
      },
    }),
    platform: {
      schedule: backups.platformCron,
      useOwnerReferencesInBackup: false,
      // Cluster-scoped resources too (CRDs, ClusterRoles, PersistentVolumes): what a namespace restore refers to.
      template: { ...template, includedNamespaces: [...PLATFORM_STATE_NAMESPACES], includeClusterResources: true, snapshotVolumes: false, defaultVolumesToFsBackup: false },
    },
  };
}

/** The Velero values that depend on the environment (tests read them back). */
export function veleroValues(context: PlatformContext, store: ObjectStoreCredentials["settings"], tenantNamespaces: readonly string[]): Record<string, unknown> {
  return {
    initContainers: [
      {
        name: "velero-plugin-for-aws",
        image: mirroredImage(VELERO_AWS_PLUGIN_IMAGE, context.mirror),
        imagePullPolicy: "IfNotPresent",
        volumeMounts: [{ mountPath: "/target", name: "plugins" }],
      },
    ],
    credentials: { useSecret: true, existingSecret: VELERO_CREDENTIALS_SECRET },
    configuration: {
      backupStorageLocation: [
        {
          name: VELERO_STORAGE_LOCATION,
          provider: "aws",
          bucket: store.buckets.velero,
          default: true,
          accessMode: "ReadWrite",
          // Path-style: an on-prem store has no wildcard DNS for bucket.s3.<domain>.
          config: {
            region: store.region,
            s3ForcePathStyle: "true",
            s3Url: store.endpoint,
            // Ceph RGW (the in-cluster store) refuses the plugin's default CRC32 checksums with XAmzContentSHA256Mismatch:
            // the plugin README's known issues for v1.14.x (aws-sdk-go-v2) say to send none.
            ...(store.kind === "in-cluster" && { checksumAlgorithm: "" }),
          },
        },
      ],
      // No VolumeSnapshotLocation: that is for provider snapshotter plugins (EBS...); CSI snapshots need none.
      volumeSnapshotLocation: [],
      uploaderType: "kopia",
      // CSI snapshots (built into Velero since 1.14, still behind this flag in 1.18): the server and the node-agents.
      features: "EnableCSI",
      // A backup created by hand (`velero backup create`) moves its snapshot data out too, as the schedules do.
      defaultSnapshotMoveData: true,
    },
    snapshotsEnabled: false,
    deployNodeAgent: true,
    metrics: { enabled: true, serviceMonitor: { enabled: true } },
    schedules: veleroSchedules(context, tenantNamespaces),
  };
}

export interface VeleroProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  /** Where backups go and the S3 keys (KubernetesEnvironment.objectStore). */
  readonly objectStore: ObjectStoreCredentials;
  /** Every tenant namespace (tenantSettings): the tenants' schedule covers exactly these. */
  readonly tenantNamespaces: readonly string[];
  /**
   * PEM CA of the store's certificate: `backups.objectStore.caPem` (external) or the platform issuer's CA (in-cluster).
   * @default the system trust store of the Velero image
   */
  readonly caPem?: string;
  /**
   * Namespace, its policies, the pod network, kube-prometheus-stack (ServiceMonitor CRD), the snapshot controller and
   * the Ceph cluster (the VolumeSnapshot CRDs and class its CSI backups use) and, in-cluster, the store.
   */
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * Velero with one BackupStorageLocation on the environment's object store and two daily Schedules (tier
 * rules): every tenant namespace with its volumes (CSI snapshots, data moved to the bucket), and the platform's state. The S3 keys reach it through a
 * Secret Terraform writes from the sensitive tokens, never through values.
 */
export class Velero extends Construct {
  readonly addon: HelmAddon;
  readonly credentials: SecretV1;

  constructor(scope: Construct, id: string, props: VeleroProps) {
    super(scope, id);
    const { context, objectStore } = props;
    this.credentials = new SecretV1(this, "credentials", {
      // Terraform rewrites it from the same tokens at any time: deleting it loses nothing (the review gate's label).
      metadata: { name: VELERO_CREDENTIALS_SECRET, namespace: NAMESPACE.velero, labels: { "app.kubernetes.io/part-of": "velero", ...REGENERATED_LABEL } },
      data: { cloud: `[default]\naws_access_key_id=${objectStore.accessKeyId}\naws_secret_access_key=${objectStore.secretAccessKey}\n` },
      dependsOn: [...props.dependsOn],
    });
    // The CA goes through set_sensitive: it may be the site CA's (sensitive) Terraform variable. Base64 has no "," for --set.
    const sensitive: SensitiveValue[] = props.caPem === undefined ? [] : [{ path: "configuration.backupStorageLocation[0].caCert", value: Fn.base64encode(props.caPem) }];
    this.addon = new HelmAddon(this, "helm", {
      releaseName: "velero",
      chart: CHARTS.velero,
      namespace: NAMESPACE.velero,
      mirror: context.mirror,
      defaults: {},
      environment: veleroValues(context, objectStore.settings, props.tenantNamespaces),
      images: VELERO_IMAGES,
      overrides: addonOverrides(context, "velero"),
      sensitive,
      timeoutSeconds: 600,
      dependsOn: [...props.dependsOn, this.credentials],
    });
  }
}
