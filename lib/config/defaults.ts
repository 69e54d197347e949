import type { AdmissionMode } from "./security";
import type { Tier } from "./types";

/**
 * THE defaults and tier rules, each stated once. Everything that differs between sandbox, dev and prod
 * is a row of TIER_RULES; every constant two parts of the library must agree on is here.
 */

/** API server port: kubeadm's bind port, the VIP's port, kube-vip, Calico's API endpoint, the readiness gate. */
export const API_SERVER_PORT = 6443;

/** The node NIC inside the guest when `network.interface` is not set: vmxnet3 on the first PCI slot is ens192 on EL9. */
export const DEFAULT_NODE_INTERFACE = "ens192";

/**
 * kube-controller-manager's `--node-cidr-mask-size` for IPv4 (kubeadm's default, which we keep): every
 * node is given a /24 of `kubernetes.podCidr`, so a /16 holds 256 nodes.
 */
export const NODE_CIDR_MASK_SIZE = 24;

/**
 * kubeadm puts the cluster DNS Service at the 10th address of `kubernetes.serviceCidr`: the range must
 * hold at least that many addresses, i.e. be a /28 or larger.
 */
export const CLUSTER_DNS_SERVICE_INDEX = 10;

/**
 * Most nodes one pool may have. The library synthesizes far more in tests, but a count beyond this is
 * a typo (an extra zero, 2**32): checked before anything is built, so it fails in milliseconds, not
 * after exhausting memory.
 */
export const MAX_NODES_PER_POOL = 1000;

/** Requests (and memory limit) of one kind of Ceph daemon: Rook sets an OSD's `osd_memory_target` from its memory limit. */
export interface CephDaemonSize {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits?: { readonly memory: string };
}

/** The Ceph daemons a tier sizes (rook-ceph-cluster `cephClusterSpec.resources`); the others keep the chart's defaults. */
export type CephDaemonResources = Readonly<Record<"mon" | "mgr" | "osd" | "prepareosd", CephDaemonSize>>;

/** What an environment's tier decides when the config does not say otherwise. */
export interface TierRules {
  /** Fewest control-plane nodes allowed (etcd quorum survives the loss of one from 3). */
  readonly minControlPlaneNodes: number;
  /** Fewest nodes with a Ceph data disk allowed (one replica per host). */
  readonly minCephDataNodes: number;
  /** Ceph monitors unless `platform.storage.monCount` says. */
  readonly cephMonCount: number;
  /** RBD pool copies unless `platform.storage.replication` says, given the data nodes that exist. */
  readonly cephReplication: (osdNodes: number) => number;
  /** Several mons/OSD pods of one kind on one node: a single-node sandbox must still come up. */
  readonly cephAllowMultiplePerNode: boolean;
  /**
   * Ceph daemon sizes; undefined keeps the chart's (upstream's production recommendation: mon 1 CPU, OSD
   * 1 CPU and 4 GiB), which would take most of a small node.
   */
  readonly cephDaemonResources: CephDaemonResources | undefined;
  /** Traefik pods per ingress class unless `platform.ingress.<class>.replicas` says. */
  readonly traefikReplicas: number;
  /** Argo CD in HA unless `platform.argocdHa` says. */
  readonly argocdHa: boolean;
  /** Terraform refuses to destroy or replace the Calico CRD release (prevent_destroy) unless `platform.protectPodNetwork` says. */
  readonly protectPodNetwork: boolean;
  /**
   * Helm keeps the Traefik CRDs when the `traefik-crds` release is uninstalled or replaced (`helm.sh/resource-policy:
   * keep`): deleting them deletes every IngressRoute, Middleware and TLSStore in the cluster.
   */
  readonly keepTraefikCrds: boolean;
  /** Terraform refuses to destroy or replace the VolumeSnapshot CRD release (prevent_destroy) unless `platform.protectVolumeSnapshots` says. */
  readonly protectVolumeSnapshots: boolean;
  /** Where EnvironmentStack keeps state unless told: a local file, or GitLab's HTTP backend. */
  readonly stateBackend: "local" | "gitlab";
  /** Warn when there is no registry mirror (such an environment pulls from the internet). */
  readonly expectsRegistryMirror: boolean;
  /**
   * Mode of the Kyverno admission policies unless `security.admissionPolicies` says: teams see violations in
   * PolicyReports on sandbox/dev before prod refuses them.
   */
  readonly admissionMode: AdmissionMode;
  /** Kyverno admission controller pods: prod keeps admitting while a node drains (PDB) and survives a node loss. */
  readonly kyvernoAdmissionReplicas: number;
  /** Days Loki keeps logs unless `logs.retentionDays` says. */
  readonly logRetentionDays: number;
  /**
   * Loki's shape: one pod doing everything (SingleBinary, one replica), or write/read/backend targets scaled
   * apart (SimpleScalable) with this many replicas each, so a node loss or a rolling update loses no log line.
   */
  readonly loki: { readonly mode: "SingleBinary" | "SimpleScalable"; readonly replicas: number; readonly volumeGiB: number };
  /**
   * Days before expiry at which control-plane nodes renew kubeadm's certificates unless
   * `certificates.renewBeforeDays` says: sandbox renews first, so the path is exercised before prod needs it.
   */
  readonly certificateRenewBeforeDays: number;
  /** etcd snapshot schedule unless `backups.etcdSnapshots` says: prod loses at most an hour of cluster state. */
  readonly etcdSnapshots: { readonly intervalHours: number; readonly retentionDays: number };
  /** The API server refuses GitLab CI tokens of unprotected branches and tags unless `security.gitlabCi.protectedRefsOnly` says. */
  readonly gitlabCiProtectedRefsOnly: boolean;
  /** Velero's daily backups (tenant namespaces with their volumes; platform state): when (cron, UTC) and how long kept. */
  readonly backups: BackupScheduleRules;
}

/** When Velero's schedules run and how long their backups are kept. */
export interface BackupScheduleRules {
  /** Cron (UTC) of the tenants' backup; the platform's runs an hour later, so the two do not share the node-agents. */
  readonly tenantsCron: string;
  readonly platformCron: string;
  /** Days a backup is kept before Velero deletes it (and its data in the bucket). */
  readonly retentionDays: number;
}

export const TIER_RULES: Readonly<Record<Tier, TierRules>> = {
  sandbox: {
    minControlPlaneNodes: 1,
    minCephDataNodes: 1,
    cephMonCount: 1,
    cephReplication: () => 1,
    cephAllowMultiplePerNode: true,
    // One 4 vCPU / 8 GiB worker holds every Ceph daemon beside the whole platform.
    cephDaemonResources: {
      mon: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
      mgr: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
      osd: { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "2Gi" } },
      prepareosd: { requests: { cpu: "250m", memory: "50Mi" } },
    },
    traefikReplicas: 1,
    argocdHa: false,
    protectPodNetwork: false,
    keepTraefikCrds: false,
    protectVolumeSnapshots: false,
    stateBackend: "local",
    expectsRegistryMirror: false,
    admissionMode: "Audit",
    kyvernoAdmissionReplicas: 1,
    logRetentionDays: 3,
    loki: { mode: "SingleBinary", replicas: 1, volumeGiB: 10 },
    certificateRenewBeforeDays: 180,
    backups: { tenantsCron: "0 2 * * *", platformCron: "0 3 * * *", retentionDays: 3 },
    etcdSnapshots: { intervalHours: 24, retentionDays: 2 },
    gitlabCiProtectedRefsOnly: false,
  },
  dev: {
    minControlPlaneNodes: 1,
    minCephDataNodes: 1,
    cephMonCount: 3,
    // Never more copies than hosts: a dev cluster with 2 data nodes keeps 2 copies.
    cephReplication: (osdNodes) => Math.max(1, Math.min(3, osdNodes)),
    cephAllowMultiplePerNode: false,
    // Upstream's memory (an OSD caches in what it is given), half its CPU: dev nodes are 4 vCPU.
    cephDaemonResources: {
      mon: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
      mgr: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
      osd: { requests: { cpu: "500m", memory: "4Gi" }, limits: { memory: "4Gi" } },
      prepareosd: { requests: { cpu: "250m", memory: "50Mi" } },
    },
    traefikReplicas: 2,
    argocdHa: false,
    protectPodNetwork: true,
    keepTraefikCrds: true,
    protectVolumeSnapshots: true,
    stateBackend: "gitlab",
    expectsRegistryMirror: true,
    admissionMode: "Audit",
    kyvernoAdmissionReplicas: 2,
    logRetentionDays: 7,
    loki: { mode: "SingleBinary", replicas: 1, volumeGiB: 20 },
    certificateRenewBeforeDays: 120,
    backups: { tenantsCron: "0 2 * * *", platformCron: "0 3 * * *", retentionDays: 7 },
    etcdSnapshots: { intervalHours: 6, retentionDays: 3 },
    gitlabCiProtectedRefsOnly: false,
  },
  prod: {
    minControlPlaneNodes: 3,
    minCephDataNodes: 3,
    cephMonCount: 3,
    cephReplication: () => 3,
    cephAllowMultiplePerNode: false,
    cephDaemonResources: undefined,
    traefikReplicas: 2,
    argocdHa: true,
    protectPodNetwork: true,
    keepTraefikCrds: true,
    protectVolumeSnapshots: true,
    stateBackend: "gitlab",
    expectsRegistryMirror: true,
    admissionMode: "Enforce",
    kyvernoAdmissionReplicas: 3,
    logRetentionDays: 30,
    // Three write replicas: the ingesters' replication factor 3 (each stream on three WALs).
    loki: { mode: "SimpleScalable", replicas: 3, volumeGiB: 20 },
    certificateRenewBeforeDays: 90,
    backups: { tenantsCron: "0 2 * * *", platformCron: "0 3 * * *", retentionDays: 30 },
    etcdSnapshots: { intervalHours: 1, retentionDays: 7 },
    gitlabCiProtectedRefsOnly: true,
  },
};

/** Defaults of optional platform fields that do not depend on the tier. */
export const PLATFORM_DEFAULTS = {
  urlScheme: "https",
  gitopsTargetRevision: "main",
  alertmanagerStorageGiB: 2,
} as const;
