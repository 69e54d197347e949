/**
 * The typed description of one environment. Plain data: no cdktf, no I/O.
 * Write environments as `{ ... } satisfies EnvironmentConfig` and pass them through
 * `validateEnvironment`, which is the only way constructs should receive them.
 */
import type { BackupsConfig } from "./backups";
import type { LogsConfig } from "./logs";
import type { CertificatesConfig } from "./certificates";
import type { PlatformConfig } from "./platform";
import type { SecurityConfig } from "./security";
import type { TenantConfig } from "./tenants";
import type { VsphereVersion } from "./vsphere-versions";

/** Where the VMs go in vCenter. Names are inventory names, not managed object ids. */
export interface VsphereConfig {
  readonly datacenter: string;
  /** Compute cluster (DRS must be enabled for the anti-affinity rules to act). */
  readonly computeCluster: string;
  readonly datastore: string;
  /** Port group (standard or distributed) the node NIC is attached to. */
  readonly network: string;
  /** VM folder, relative to the datacenter's VM folder: "kubernetes/prod", never "/dc1/vm/kubernetes/prod". */
  readonly folder: string;
  /**
   * Resource pool below the compute cluster's root pool: a name, or names joined by "/" for nested
   * pools ("k8s/prod"). Looked up pool by pool under the cluster, so a cluster inside a host folder works.
   * @default the compute cluster's root resource pool
   */
  readonly resourcePool?: string;
  /**
   * vSphere version of the oldest ESXi host in the compute cluster: it caps the node image's hardware
   * version and guest id (see VSPHERE_VERSION_LIMITS and the README table) and decides host time sync.
   * @default "7.0" (7.0 U2 or later: what the default image, hardware 19 and rhel9_64Guest, needs)
   */
  readonly version?: VsphereVersion;
}

/** The network every node sits on. Addresses are static; no DHCP is assumed. */
export interface NodeNetworkConfig {
  /** Node subnet, e.g. "10.20.0.0/24". */
  readonly cidr: string;
  readonly gateway: string;
  readonly dnsServers: readonly string[];
  /** @default [] */
  readonly searchDomains?: readonly string[];
  /** NTP servers (internal in an air-gapped site). */
  readonly ntpServers: readonly string[];
  /**
   * Name of the node NIC inside the guest (vmxnet3 on the first PCI slot is ens192 on EL9).
   * @default "ens192"
   */
  readonly interface?: string;
}

/** A template referenced by name, with the facts Packer would otherwise record. */
export interface NamedTemplateConfig {
  /** Template VM name in the datacenter inventory, e.g. "rocky9-k8s-1.33.4-20261101". */
  readonly name: string;
  /** Guest OS of the template, e.g. "rocky-9". */
  readonly os: string;
  /** Size of the template's system disk. Every clone's OS disk must be at least this big. */
  readonly diskGiB: number;
  /** @default "efi" */
  readonly firmware?: "efi" | "bios";
  /** Kubernetes version (x.y.z) whose kubelet/kubeadm the template carries. */
  readonly kubernetesVersion: string;
  /** @default "pvscsi" */
  readonly scsiType?: "pvscsi" | "lsilogic" | "lsilogic-sas";
}

/** A template read from the manifest `packer build` writes (see packer/). */
export interface ManifestTemplateConfig {
  /** Path to the Packer manifest, relative to the project root, e.g. "packer/manifest.json". */
  readonly manifest: string;
}

export type NodeTemplateConfig = NamedTemplateConfig | ManifestTemplateConfig;

export interface Taint {
  readonly key: string;
  /** @default "" */
  readonly value?: string;
  readonly effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** Sizing and addressing of a group of identical nodes. */
export interface NodePoolConfig {
  /** DNS-1123 label; node names are `<env>-<pool>-<n>` (n from 1). */
  readonly name: string;
  readonly count: number;
  readonly cpus: number;
  readonly memoryMiB: number;
  readonly osDiskGiB: number;
  /**
   * Raw, unformatted second disk (Rook-Ceph consumes it as an OSD).
   * @default no data disk
   */
  readonly dataDiskGiB?: number;
  /** One static IP per node, in node order. */
  readonly ips: readonly string[];
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default [] */
  readonly taints?: readonly Taint[];
  /**
   * Bump a node's revision to rebuild that node (and only that node) from the current template.
   * Keys are node names of this pool. Existing nodes otherwise keep the template they were cloned from.
   * @default {} (every node at revision 0)
   */
  readonly nodeRevisions?: Readonly<Record<string, number>>;
  /**
   * The template this pool's new and rebuilt nodes are cloned from, instead of the environment's `template`:
   * a Kubernetes upgrade in progress (README "Upgrading Kubernetes"). On the control plane it carries
   * `kubernetes.version` while the environment's template still carries the version its nodes not yet
   * rebuilt run; on a worker pool it may keep an older version within the skew policy.
   * @default the environment's template
   */
  readonly template?: NodeTemplateConfig;
}

/** The control-plane pool, plus the one switch that re-creates the cluster. */
export interface ControlPlaneConfig extends NodePoolConfig {
  /**
   * Re-initialize the cluster (`kubeadm init` on the first control-plane node) in the build of that
   * node at this revision, e.g. after its first `kubeadm init` failed. Valid only while the first
   * node's `nodeRevisions` entry equals it, so it fires for exactly one build and never again: remove
   * it before that node's next rebuild. The node still refuses to init while a peer control-plane node
   * or the VIP answers. See README, "Re-initializing a cluster".
   * @default undefined (only the first build, revision 0, initializes)
   */
  readonly reinitializeAtRevision?: number;
  /**
   * Restore the control plane from an etcd snapshot: the build of the first control-plane node at
   * `atRevision` downloads `snapshot` (an object key in the `<prefix>-etcd` bucket), restores it into
   * its etcd data directory and runs `kubeadm init` on that data; the other control-plane nodes, rebuilt,
   * join it. Valid only while the first node's `nodeRevisions` entry equals `atRevision` (one build, once).
   * The node still joins instead while a peer control-plane node or the VIP answers. See README,
   * "Restoring the control plane from an etcd snapshot".
   * @default undefined (no restore)
   */
  readonly restoreFromSnapshot?: RestoreFromSnapshotConfig;
}

/** `controlPlane.restoreFromSnapshot`: which snapshot, in which build of the first control-plane node. */
export interface RestoreFromSnapshotConfig {
  /** Object key in the etcd bucket, e.g. "prod/20260101T0300Z-prod-cp-2.db" (README lists how to find them). */
  readonly snapshot: string;
  /** The first control-plane node's revision whose build restores (its nodeRevisions entry). */
  readonly atRevision: number;
}

export interface KubernetesConfig {
  /**
   * Exact x.y.z: the control plane's version. Must equal the version of the control-plane pool's template
   * (`controlPlane.template`, else `template`); the cluster's kubeadm-config names it.
   */
  readonly version: string;
  /** Virtual IP kube-vip announces for the API server; in the node CIDR, not a node IP. */
  readonly apiVip: string;
  /** Pod network: kubeadm's podSubnet and Calico's IP pool (one source of truth). */
  readonly podCidr: string;
  readonly serviceCidr: string;
  /** @default "cluster.local" */
  readonly dnsDomain?: string;
  /**
   * Extra names/IPs for the API server certificate (the VIP is always included).
   * @default []
   */
  readonly apiCertSans?: readonly string[];
}

/** Internal registry that mirrors every upstream registry (air-gap). */
export interface RegistryMirrorConfig {
  /** host[:port] of the mirror, e.g. "gitlab.example.internal:5050". */
  readonly host: string;
  /**
   * Path prefix under which upstream registries are mirrored: `docker.io/library/x` becomes
   * `<host>/<pathPrefix>/docker.io/library/x`.
   * @default "" (upstream paths directly under the host)
   */
  readonly pathPrefix?: string;
  /**
   * OCI repository that holds the Helm charts, e.g. "oci://gitlab.example.internal:5050/platform/charts".
   * @default no chart mirror (charts come from their upstream repositories)
   */
  readonly chartRepository?: string;
  /**
   * PEM CA bundle that signed the mirror's certificate, trusted by containerd and the nodes.
   * @default the system trust store only
   */
  readonly caPem?: string;
}

export type Tier = "sandbox" | "dev" | "prod";

export interface EnvironmentConfig {
  /** Environment (and stack) name: DNS-1123 label, e.g. "prod". Prefixes every VM and DRS rule. */
  readonly name: string;
  /**
   * What the environment is for; sets the safety rules (prod: at least 3 control-plane nodes, 3 Ceph
   * data nodes) and the sizing defaults of the platform. Several clusters may share a tier.
   */
  readonly tier: Tier;
  readonly vsphere: VsphereConfig;
  readonly network: NodeNetworkConfig;
  /**
   * The node template of every pool that does not name its own (`template` of a pool). During a control-plane
   * upgrade it stays the template the cluster ran before: its version is what the nodes not yet rebuilt run.
   */
  readonly template: NodeTemplateConfig;
  /** Control-plane pool: an odd number of nodes (3 or 5 in prod). Never tainted off by us. */
  readonly controlPlane: ControlPlaneConfig;
  /** One or more named worker pools. */
  readonly workers: readonly NodePoolConfig[];
  readonly kubernetes: KubernetesConfig;
  /** @default no mirror: images and charts come from their upstream registries */
  readonly registryMirror?: RegistryMirrorConfig;
  /**
   * Break-glass SSH public keys for the node OS user. Public keys only.
   * @default [] (no SSH access)
   */
  readonly sshAuthorizedKeys?: readonly string[];
  /**
   * The security baseline: audit log, encryption at rest, host firewall, join-token rotation, Pod Security
   * defaults, NetworkPolicies, OIDC. Everything is on by default (see SecurityConfig and README "Security").
   * @default every control on, no OIDC
   */
  readonly security?: SecurityConfig;
  readonly platform: PlatformConfig;
  /**
   * Application teams: namespaces by convention per stage, quotas, limits, isolation, RBAC, CI access and an
   * Argo CD project each (see TenantConfig and README "Tenants").
   * @default no tenant
   */
  readonly tenants?: readonly TenantConfig[];
  /**
   * Where backups (etcd snapshots, Velero) and logs (Loki) are stored: an external S3-compatible object store
   * (required on prod) or, on sandbox/dev without one, an in-cluster Ceph object store (see BackupsConfig and
   * README "Backups").
   * @default sandbox/dev: in-cluster; prod: required
   */
  readonly backups?: BackupsConfig;
  /**
   * Cluster logs: Fluent Bit on every node to Loki (on the `backups` object store), retention, optional forwarding to
   * an existing Graylog/syslog collector; `false` turns log collection off (see LogsConfig and README "Logs").
   * @default on, retention per tier (sandbox 3 days, dev 7, prod 30), no forwarding
   */
  readonly logs?: LogsConfig;
  /**
   * Certificate renewal on the control-plane nodes and the cluster CA's expiry (see CertificatesConfig and
   * README "Certificates").
   * @default renewal at the tier's threshold, CA expiry unknown
   */
  readonly certificates?: CertificatesConfig;
}

/** Only validateEnvironment attaches this brand: a construct that takes validated config cannot get raw data. */
declare const VALIDATED: unique symbol;

/** A node pool of an environment that went through `validateEnvironment` (what `NodePool` takes). */
export interface ValidatedPool extends NodePoolConfig {
  readonly [VALIDATED]: true;
}

/**
 * An EnvironmentConfig that went through `validateEnvironment`, the only function that returns one.
 * Constructs take this type, so skipping validation is a compile error rather than a failed apply.
 */
export interface ValidatedEnvironment extends EnvironmentConfig {
  readonly [VALIDATED]: true;
  readonly controlPlane: ValidatedPool & ControlPlaneConfig;
  readonly workers: readonly ValidatedPool[];
}
