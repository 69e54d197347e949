import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { ImageField } from "./air-gap";
import { CHARTS } from "./chart-versions";
import { addonOverrides, type PlatformContext } from "./platform-context";
import { HelmAddon } from "./helm-addon";
import { CEPH_BLOCK_STORAGE_CLASS, NAMESPACE } from "./names";

export const ROOK_CLUSTER_IMAGES: readonly ImageField[] = [
  { kind: "ref", path: "cephImage.repository", upstream: "quay.io/ceph/ceph" },
];

/** Where Rook keeps mon data and config on every host (survives pod restarts; wipe it on node rebuild). */
export const ROOK_DATA_DIR = "/var/lib/rook";
export const CEPH_BLOCK_POOL = "ceph-blockpool";

/**
 * The CSI driver the Rook operator registers for a kind of Ceph volume: `<operator namespace>.<kind>.csi.ceph.com`
 * (the chart's default; we set no `csiDriverNamePrefix`). The block pool's StorageClass provisions with it, and its
 * VolumeSnapshotClass must name the same driver or no snapshot is ever taken.
 */
export function cephCsiDriver(kind: "rbd" | "cephfs"): string {
  return `${NAMESPACE.rook}.${kind}.csi.ceph.com`;
}

/** The VolumeSnapshotClass of the RBD pool (same name as its StorageClass, as upstream's chart names them). */
export const CEPH_BLOCK_SNAPSHOT_CLASS = "ceph-block";
/** The label Velero picks a driver's VolumeSnapshotClass by (one per driver). */
export const VELERO_SNAPSHOT_CLASS_LABEL = "velero.io/csi-volumesnapshot-class";

/**
 * The RBD pool's VolumeSnapshotClass, through the chart's own template (driver and clusterID come from the same
 * values as the StorageClass's provisioner and clusterID). A snapshot is an RBD snapshot in the source image's pool.
 * `Delete`: a VolumeSnapshot's Ceph snapshot goes with it. Velero sets its own contents to Retain while it holds them
 * and deletes them itself (after moving the data out, or when a backup expires); with `Retain` every snapshot a tenant
 * deletes would stay in Ceph with nothing in Kubernetes showing it, and its parent image could never be removed.
 */
export const CEPH_BLOCK_SNAPSHOT_CLASS_VALUES = {
  enabled: true,
  name: CEPH_BLOCK_SNAPSHOT_CLASS,
  // The class for RBD VolumeSnapshots that name none.
  isDefault: true,
  deletionPolicy: "Delete",
  annotations: {},
  labels: { [VELERO_SNAPSHOT_CLASS_LABEL]: "true" },
  parameters: {},
} as const;

/** Sizing of the Ceph cluster for an environment: config, else the tier's defaults. */
export function cephSizing(context: PlatformContext): { monCount: number; replication: number; multiplePerNode: boolean } {
  return {
    monCount: context.platform.storage?.monCount ?? context.rules.cephMonCount,
    replication: context.platform.storage?.replication ?? context.rules.cephReplication(context.cephOsdNodes.length),
    multiplePerNode: context.rules.cephAllowMultiplePerNode,
  };
}

/** ceph.conf `[global]` overrides for a cluster keeping `replication` copies. */
export function cephConfigOverride(replication: number): string {
  const lines = ["[global]", `osd_pool_default_size = ${replication}`, `osd_pool_default_min_size = ${Math.max(1, replication - 1)}`];
  if (replication === 1) lines.push("mon_warn_on_pool_no_redundancy = false");
  return `${lines.join("\n")}\n`;
}

export interface RookCephClusterProps {
  /** The environment as add-ons see it (platformContext). */
  readonly context: PlatformContext;
  /**
   * Must include the Rook operator (its CRDs first, and on destroy the CephCluster goes first) and the snapshot
   * controller (the VolumeSnapshotClass needs its CRDs).
   */
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * The CephCluster: OSDs only on nodes of pools with a data disk (explicit node list, device path filter
 * derived from the VM disk layout), mons and replication per environment, one RBD pool with the default
 * StorageClass `ceph-block` and its VolumeSnapshotClass `ceph-block` (Velero's). CephFS and object store (on by
 * default in the chart) are off: nothing uses them.
 */
export class RookCephCluster extends Construct {
  readonly addon: HelmAddon;

  constructor(scope: Construct, id: string, props: RookCephClusterProps) {
    super(scope, id);
    const { context } = props;
    const sizing = cephSizing(context);
    this.addon = new HelmAddon(this, "helm", {
      releaseName: "rook-ceph-cluster",
      chart: CHARTS.rookCephCluster,
      namespace: NAMESPACE.rook,
      mirror: context.mirror,
      defaults: {
        operatorNamespace: NAMESPACE.rook,
        toolbox: { enabled: false },
        cephFileSystems: [],
        cephObjectStores: [],
        // No CephFS, so no CephFS snapshot class (cephFileSystemVolumeSnapshotClass stays off, the chart's default).
        cephBlockPoolsVolumeSnapshotClass: CEPH_BLOCK_SNAPSHOT_CLASS_VALUES,
      },
      environment: {
        // Every pool Ceph creates on its own (.mgr, anything default-sized) gets the cluster's replication,
        // or it waits forever for hosts that do not exist; with one copy, Ceph's "no redundancy" warning
        // is the expected state (upstream's single-node example, cluster-test.yaml).
        configOverride: cephConfigOverride(sizing.replication),
        cephClusterSpec: {
          dataDirHostPath: ROOK_DATA_DIR,
          mon: { count: sizing.monCount, allowMultiplePerNode: sizing.multiplePerNode },
          mgr: { count: Math.min(2, sizing.monCount), allowMultiplePerNode: sizing.multiplePerNode },
          // Helm merges maps: the daemons the tier does not size keep the chart's requests.
          ...(context.rules.cephDaemonResources && { resources: context.rules.cephDaemonResources }),
          storage: {
            useAllNodes: false,
            useAllDevices: false,
            // By path, not kernel name: `sdb` is whichever disk the kernel probed second (README, "Storage").
            nodes: context.cephOsdNodes.map((n) => ({ name: n.name, devicePathFilter: n.devicePathFilter })),
          },
        },
        // Helm replaces lists whole: the pools are spelled out in full, StorageClass parameters included.
        cephBlockPools: [
          {
            // Ceph's manager pool (created with size 3 by default): declared so it follows the replication.
            name: "builtin-mgr",
            spec: { name: ".mgr", failureDomain: "host", replicated: { size: sizing.replication, requireSafeReplicaSize: sizing.replication > 1 } },
            storageClass: { enabled: false },
          },
          {
            name: CEPH_BLOCK_POOL,
            spec: {
              failureDomain: "host",
              // size 1 (sandbox) needs requireSafeReplicaSize false, or Ceph refuses the pool.
              replicated: { size: sizing.replication, requireSafeReplicaSize: sizing.replication > 1 },
            },
            storageClass: {
              enabled: true,
              name: CEPH_BLOCK_STORAGE_CLASS,
              isDefault: true,
              reclaimPolicy: "Delete",
              allowVolumeExpansion: true,
              volumeBindingMode: "Immediate",
              annotations: {},
              labels: {},
              mountOptions: [],
              allowedTopologies: [],
              parameters: {
                imageFormat: "2",
                imageFeatures: "layering",
                "csi.storage.k8s.io/provisioner-secret-name": "rook-csi-rbd-provisioner",
                "csi.storage.k8s.io/provisioner-secret-namespace": "{{ .Release.Namespace }}",
                "csi.storage.k8s.io/controller-expand-secret-name": "rook-csi-rbd-provisioner",
                "csi.storage.k8s.io/controller-expand-secret-namespace": "{{ .Release.Namespace }}",
                "csi.storage.k8s.io/controller-publish-secret-name": "rook-csi-rbd-provisioner",
                "csi.storage.k8s.io/controller-publish-secret-namespace": "{{ .Release.Namespace }}",
                "csi.storage.k8s.io/node-stage-secret-name": "rook-csi-rbd-node",
                "csi.storage.k8s.io/node-stage-secret-namespace": "{{ .Release.Namespace }}",
                "csi.storage.k8s.io/fstype": "ext4",
              },
            },
          },
        ],
      },
      images: ROOK_CLUSTER_IMAGES,
      overrides: addonOverrides(context, "rook-ceph-cluster"),
      timeoutSeconds: 900,
      dependsOn: props.dependsOn,
    });
  }
}
