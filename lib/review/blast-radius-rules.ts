/**
 * The blast-radius rules: which changes a plan may not make without someone explicitly accepting
 * them, and the routine operations that pass with a note. This file is the one place both live.
 *
 * Rules judge what a change DOES to what a resource IS: its type, its provider attributes (a VM's
 * vSphere name and disks, a release's chart in any form), every action including `forget`, and
 * updates that lose data or reboot. Names and construct paths are a fallback, never the only clue:
 * a `moved` block or a module can rename anything. A resource type no rule knows is refused when it
 * is destroyed or forgotten, so a new stateful resource cannot slip through unreviewed.
 *
 * Every later issue that adds stateful or security-critical resources extends this table.
 */
import type { PlannedChange } from "./planned-change";
import { REGENERATED_SECRET_LABEL } from "../config/labels";
import { ADMISSION_POLICIES_RELEASE, OBJECT_STORE_RELEASE, TRAEFIK_CRDS_RELEASE } from "../platform/names";
import { compareVersions } from "../config/version-skew";
import { mergedHelmValues } from "./helm-values";
import { sameJson } from "./same-json";
import {
  asObject,
  changedValueKeys,
  chartNames,
  destroys,
  disksLost,
  hasDataDisk,
  isControlPlaneVm,
  namespaceOf,
  pathHasSegment,
  rebootReasons,
  stateOf,
} from "./resource-facts";

/** What the rules know about the whole plan, beyond one change. */
export interface PlanFacts {
  /** Namespaces holding a stateful release, from every helm_release entry (no-op ones included). */
  readonly statefulNamespaces: ReadonlySet<string>;
}

export interface BlastRadiusRule {
  readonly id: string;
  /** Why the rule exists, shown in the refusal. */
  readonly why: string;
  /** Resource types the rule judges. Types no rule (and no HARMLESS_TYPES entry) names fall to `unknown-type`. */
  readonly types: ReadonlySet<string>;
  /** How this change hits the rule ("replace", "update: removes disk disk1"), or undefined when it does not. */
  readonly hits: (change: PlannedChange, plan: PlanFacts) => string | undefined;
  /** How many hits are tolerated in one plan of one stack (0 = none). */
  readonly tolerated: number;
}

/** A change the gate lets through that a second reviewer should still read: the MR note says so, on top. */
export interface SecurityReview {
  readonly id: string;
  /** The note shown in the MR: why a second pair of eyes. */
  readonly why: string;
  /** Resource types it judges (known to the gate: their destruction is not refused as unknown). */
  readonly types: ReadonlySet<string>;
  readonly matches: (change: PlannedChange) => boolean;
}

/** An operation the library itself schedules: it passes the gate, and the MR note says so. */
export interface RoutineOperation {
  readonly id: string;
  /** The note shown in the MR: what it is and why it is safe. */
  readonly why: string;
  readonly matches: (change: PlannedChange) => boolean;
}

export const VM_TYPES: ReadonlySet<string> = new Set(["vsphere_virtual_machine"]);
/** Disks that live apart from a VM (a Ceph OSD could sit on one). */
export const DISK_TYPES: ReadonlySet<string> = new Set(["vsphere_virtual_disk"]);
export const PKI_TYPES: ReadonlySet<string> = new Set(["tls_private_key", "tls_self_signed_cert", "tls_locally_signed_cert", "tls_cert_request"]);
/** Random values only count as PKI under a `pki` construct (bootstrap token); elsewhere they are e.g. UI passwords. */
export const PKI_RANDOM_TYPES: ReadonlySet<string> = new Set(["random_password", "random_string", "random_bytes", "random_id"]);
/** The kubeadm-config ConfigMap's ClusterConfiguration key (KubeadmCluster.kubeadmConfig). */
export const KUBEADM_CONFIG_TYPES: ReadonlySet<string> = new Set(["kubernetes_config_map_v1_data"]);
/** ClusterPki's `encryption-key-<name>` (random_bytes): decrypts every Secret in etcd. */
function isEncryptionKey(c: PlannedChange): boolean {
  const named = (path: string | undefined) => (path ?? "").split("/").some((p) => p.startsWith("encryption-key-"));
  return c.type === "random_bytes" && (named(c.path) || named(c.previousPath));
}
export const HELM_RELEASE_TYPES: ReadonlySet<string> = new Set(["helm_release"]);
export const NAMESPACE_TYPES: ReadonlySet<string> = new Set(["kubernetes_namespace", "kubernetes_namespace_v1"]);
/** NetworkPolicies hold no data: a change alters who may connect, never what exists. */
export const NETWORK_POLICY_TYPES: ReadonlySet<string> = new Set(["kubernetes_network_policy", "kubernetes_network_policy_v1"]);
export const STORAGE_CLASS_TYPES: ReadonlySet<string> = new Set(["kubernetes_storage_class", "kubernetes_storage_class_v1"]);
export const SECRET_TYPES: ReadonlySet<string> = new Set(["kubernetes_secret", "kubernetes_secret_v1"]);
/** Bindings that grant Kubernetes permissions. */
export const RBAC_BINDING_TYPES: ReadonlySet<string> = new Set([
  "kubernetes_cluster_role_binding", "kubernetes_cluster_role_binding_v1", "kubernetes_role_binding", "kubernetes_role_binding_v1",
]);
/**
 * Charts whose release holds data: Ceph OSDs and pools, Prometheus TSDB and Alertmanager state, Loki's WAL volumes
 * (and its index), and Velero (its uninstall stops every backup schedule and the node-agents' repositories, silently:
 * nothing fails afterwards).
 */
export const STATEFUL_CHARTS: ReadonlySet<string> = new Set(["rook-ceph", "rook-ceph-cluster", "kube-prometheus-stack", "loki", "velero"]);
/** Charts whose uninstall deletes the pod network: the Calico CRDs (Helm deletes templated CRDs, and the CRs with them). */
export const POD_NETWORK_CHARTS: ReadonlySet<string> = new Set(["crd.projectcalico.org.v1"]);
/**
 * Charts whose uninstall deletes the VolumeSnapshot CRDs (templates of the chart, no keep policy), and with them every
 * VolumeSnapshot and VolumeSnapshotContent in the cluster: tenants' own snapshots and Velero's in-flight ones.
 */
export const VOLUME_SNAPSHOT_CRD_CHARTS: ReadonlySet<string> = new Set(["snapshot-controller"]);
/** rook-ceph-cluster values that define pools, filesystems, object stores, their StorageClasses and the OSD disks. */
export const CEPH_STORAGE_LAYOUT_KEYS: readonly string[] = ["cephBlockPools", "cephFileSystems", "cephObjectStores", "cephClusterSpec"];
/**
 * Parts of `cephClusterSpec` that size or schedule the daemons and hold no layout: Rook restarts the daemons
 * one at a time for them. Every other part (storage, mons, data dir, cleanup policy, Ceph version) counts as layout.
 */
export const CEPH_CLUSTER_SPEC_ROUTINE_KEYS: ReadonlySet<string> = new Set(["resources", "priorityClassNames"]);
/**
 * Per-node disk selection of `cephClusterSpec.storage.nodes[]`: it only picks disks for NEW OSDs. Rook's
 * prepare job lists the OSDs already on a node whatever the filter (ceph-volume raw/lvm list:
 * pkg/daemon/ceph/osd/volume.go at v1.20.6) and removing one is a manual procedure (Documentation/
 * Storage-Configuration/Advanced/ceph-osd-mgmt.md), so a changed filter neither removes nor wipes a disk.
 */
export const CEPH_OSD_SELECTION_KEYS: readonly string[] = ["deviceFilter", "devicePathFilter"];

/** A tenant namespace's limits: no data; changing or deleting one changes what the tenant may consume. */
export const TENANT_LIMIT_TYPES: ReadonlySet<string> = new Set(["kubernetes_resource_quota", "kubernetes_resource_quota_v1", "kubernetes_limit_range", "kubernetes_limit_range_v1"]);
/** A tenant's CI identity: the ServiceAccount and its bound, expiring token (TokenRequest, never stored in the cluster). */
export const CI_IDENTITY_TYPES: ReadonlySet<string> = new Set(["kubernetes_service_account", "kubernetes_service_account_v1", "kubernetes_token_request_v1"]);
export const PRIORITY_CLASS_TYPES: ReadonlySet<string> = new Set(["kubernetes_priority_class", "kubernetes_priority_class_v1"]);

/** The join token's rotation timestamp (hashicorp/time); the token halves are random_* under `pki` that keep it. */
export const ROTATION_TYPES: ReadonlySet<string> = new Set(["time_rotating"]);
/** The Secret type of a kubeadm join token (kube-system/bootstrap-token-<id>); lib/cluster/join-token.ts writes it (not imported: the review CLIs stay free of provider bindings). */
export const BOOTSTRAP_TOKEN_SECRET_TYPE = "bootstrap.kubernetes.io/token";

/**
 * Types whose destruction the library accepts without a rule, each for a reason. Anything that is
 * neither here nor in a rule's `types` is "unknown": destroying or forgetting it is refused.
 */
export const HARMLESS_TYPES: ReadonlyMap<string, string> = new Map([
  ["terraform_data", "readiness gates and triggers: recreating one only re-runs a check"],
  ["vsphere_compute_cluster_vm_anti_affinity_rule", "a DRS rule: recreating it moves no VM and loses nothing"],
  ...[...NETWORK_POLICY_TYPES].map((t) => [t, "a NetworkPolicy: no data; replacing or deleting one changes who may connect (the MR note says so: network-policy-change)"] as const),
  ["time_rotating", "a rotation timestamp: recreating it only starts the next rotation period (and rotates the join token that keeps it)"],
  ...[...TENANT_LIMIT_TYPES].map((t) => [t, "a ResourceQuota or LimitRange: no data; replacing or deleting one changes what a namespace may consume (the MR note says so: tenant-limits-change)"] as const),
  ...[...CI_IDENTITY_TYPES].map((t) => [t, "a CI ServiceAccount or its token: no data; a replaced token is the scheduled renewal, a deleted ServiceAccount only stops its tokens working"] as const),
  ...[...PRIORITY_CLASS_TYPES].map((t) => [t, "a PriorityClass: no data; running pods keep their priority, new pods naming a deleted class are refused until it is back"] as const),
]);

/** kubernetesVersion (x.y.z) of a kubeadm-config state's ClusterConfiguration key, if it names one. */
function clusterConfigVersion(state: unknown): string | undefined {
  const yaml = asObject(asObject(state).data).ClusterConfiguration;
  return typeof yaml === "string" ? /^kubernetesVersion: *v?(\d+\.\d+\.\d+) *$/m.exec(yaml)?.[1] : undefined;
}

const minorOf = (version: string): number => Number(version.split(".")[1]);

/** A kubernetes namespace's name (`metadata` is a one-element list in the kubernetes provider). */
function namespaceName(c: PlannedChange): string | undefined {
  const metadata = stateOf(c).metadata;
  const name = (Array.isArray(metadata) ? asObject(metadata[0]) : asObject(metadata)).name;
  return typeof name === "string" ? name : undefined;
}

/** A destroying action, or an update that reboots the VM: for quorum and replication both take the VM away. */
function takesVmAway(c: PlannedChange): string | undefined {
  if (destroys(c)) return c.action;
  const reboot = rebootReasons(c);
  return reboot.length > 0 ? `update: ${reboot.join(", ")}` : undefined;
}

function isStatefulRelease(c: PlannedChange): boolean {
  return [...chartNames(c.before), ...chartNames(c.after)].some((n) => STATEFUL_CHARTS.has(n));
}

export const BLAST_RADIUS_RULES: readonly BlastRadiusRule[] = [
  {
    id: "control-plane-vms",
    why: "more than one control-plane VM at once (replaced, deleted or rebooted) can break etcd quorum and take the API server down",
    types: VM_TYPES,
    hits: (c) => (VM_TYPES.has(c.type) && isControlPlaneVm(c) ? takesVmAway(c) : undefined),
    tolerated: 1,
  },
  {
    id: "ceph-data-disk-vms",
    why: "more than one VM with a Ceph data disk at once (replaced, deleted or rebooted) can lose placement groups before Ceph re-replicates",
    types: VM_TYPES,
    hits: (c) => (VM_TYPES.has(c.type) && hasDataDisk(stateOf(c)) ? takesVmAway(c) : undefined),
    tolerated: 1,
  },
  {
    id: "data-disk-loss",
    why: "an update that removes or shrinks a VM disk deletes the VMDK (the plan says `update`, the data is gone); a separate virtual disk likewise",
    types: new Set([...VM_TYPES, ...DISK_TYPES]),
    hits: (c) => {
      if (DISK_TYPES.has(c.type)) return destroys(c) ? c.action : undefined;
      const lost = VM_TYPES.has(c.type) ? disksLost(c) : [];
      return lost.length > 0 ? `update: ${lost.join(", ")}` : undefined;
    },
    tolerated: 0,
  },
  {
    id: "cluster-pki",
    why: "a new cluster CA, key or bootstrap secret (also after `forget`: a new one is created) invalidates every kubeconfig and node certificate",
    types: new Set([...PKI_TYPES, ...PKI_RANDOM_TYPES]),
    hits: (c) => {
      const pki =
        PKI_TYPES.has(c.type) || (PKI_RANDOM_TYPES.has(c.type) && !isEncryptionKey(c) && (pathHasSegment(c.path, "pki") || pathHasSegment(c.previousPath, "pki")));
      return pki && (destroys(c) || c.action === "forget") ? c.action : undefined;
    },
    tolerated: 0,
  },
  {
    id: "secret-encryption-key",
    why:
      "a Secret encryption key that is replaced or dropped makes every Secret it encrypted unreadable once the API servers restart: drop a key only after every Secret was rewritten with the next one (README, \"Encryption at rest\")",
    types: new Set(["random_bytes"]),
    hits: (c) => (isEncryptionKey(c) && (destroys(c) || c.action === "forget") ? c.action : undefined),
    tolerated: 0,
  },
  {
    id: "kubeadm-config",
    why:
      "destroying the kubeadm-config data resource deletes the ClusterConfiguration key every control-plane join and kubeadm upgrade reads (updates are routine: they change what the next rebuilt control-plane node runs)",
    types: KUBEADM_CONFIG_TYPES,
    hits: (c) => (KUBEADM_CONFIG_TYPES.has(c.type) && destroys(c) ? c.action : undefined),
    tolerated: 0,
  },
  {
    id: "kubernetes-version-skew",
    why:
      "kubeadm-config names the version every control-plane join deploys: lowering it downgrades the next rebuilt control-plane node, and raising it by more than one minor skips a minor Kubernetes cannot upgrade across (README, \"Upgrading Kubernetes\")",
    types: KUBEADM_CONFIG_TYPES,
    hits: (c) => {
      const [from, to] = [clusterConfigVersion(c.before), clusterConfigVersion(c.after)];
      if (!KUBEADM_CONFIG_TYPES.has(c.type) || !from || !to) return undefined;
      if (compareVersions(to, from) < 0) return `update: downgrade v${from} -> v${to}`;
      return minorOf(to) - minorOf(from) > 1 ? `update: skips a minor v${from} -> v${to}` : undefined;
    },
    tolerated: 0,
  },
  {
    id: "stateful-helm-release",
    why: "uninstalling Rook, the monitoring stack or Loki (or moving one to another namespace) deletes storage, metrics or unflushed logs (Loki's WAL volumes), and leaves CRDs and finalizers behind",
    types: HELM_RELEASE_TYPES,
    hits: (c) => {
      if (!HELM_RELEASE_TYPES.has(c.type) || !isStatefulRelease(c)) return undefined;
      if (destroys(c)) return c.action;
      const [from, to] = [namespaceOf(c.before), namespaceOf(c.after)];
      return c.action === "update" && from !== to ? `update: namespace ${from} → ${to}` : undefined;
    },
    tolerated: 0,
  },
  {
    id: "pod-network-crds",
    why: "uninstalling or replacing the Calico CRD release deletes every Calico custom resource, and with them the pod network of every workload",
    types: HELM_RELEASE_TYPES,
    hits: (c) => {
      const podNetwork = [...chartNames(c.before), ...chartNames(c.after)].some((n) => POD_NETWORK_CHARTS.has(n));
      return HELM_RELEASE_TYPES.has(c.type) && podNetwork && destroys(c) ? c.action : undefined;
    },
    tolerated: 0,
  },
  {
    id: "ingress-crds",
    why: "uninstalling or replacing the traefik-crds release deletes Traefik's CRDs (unless they carry Helm's keep policy, as on dev and prod) and with them every IngressRoute, Middleware and TLSStore; Traefik then serves none of them",
    types: HELM_RELEASE_TYPES,
    hits: (c) => {
      const crds = [c.before, c.after].some((s) => asObject(s).name === TRAEFIK_CRDS_RELEASE);
      return HELM_RELEASE_TYPES.has(c.type) && crds && destroys(c) ? c.action : undefined;
    },
    tolerated: 0,
  },
  {
    id: "volume-snapshot-crds",
    why: "uninstalling or replacing the snapshot-controller release deletes the VolumeSnapshot CRDs, and with them every VolumeSnapshot and VolumeSnapshotContent in the cluster (updates pass: Helm upgrades the CRDs in place)",
    types: HELM_RELEASE_TYPES,
    hits: (c) => {
      const snapshotCrds = [...chartNames(c.before), ...chartNames(c.after)].some((n) => VOLUME_SNAPSHOT_CRD_CHARTS.has(n));
      return HELM_RELEASE_TYPES.has(c.type) && snapshotCrds && destroys(c) ? c.action : undefined;
    },
    tolerated: 0,
  },
  {
    id: "ceph-storage-layout",
    why: "pools and StorageClasses dropped from rook-ceph-cluster are deleted with their data, and a changed pool or class strands the PVCs bound to it",
    types: new Set([...HELM_RELEASE_TYPES, ...STORAGE_CLASS_TYPES]),
    hits: (c) => {
      if (STORAGE_CLASS_TYPES.has(c.type)) return destroys(c) ? c.action : undefined;
      if (!HELM_RELEASE_TYPES.has(c.type) || c.action !== "update" || !chartNames(c.after).includes("rook-ceph-cluster")) return undefined;
      const layoutChanged = (key: string) =>
        key === "cephClusterSpec"
          ? [...changedValueKeys(c, key)].some((k) => !CEPH_CLUSTER_SPEC_ROUTINE_KEYS.has(k))
          : changedValueKeys(c).has(key);
      const changed = CEPH_STORAGE_LAYOUT_KEYS.filter(layoutChanged);
      return changed.length > 0 ? `update: values ${changed.join(", ")}` : undefined;
    },
    tolerated: 0,
  },
  {
    id: "object-store-release",
    why: "uninstalling the in-cluster object store release deletes the CephObjectStore and its S3 user: the buckets with etcd snapshots, Velero backups and logs become unreachable (the pools are kept, but only by hand are they served again)",
    types: HELM_RELEASE_TYPES,
    hits: (c) => {
      if (!HELM_RELEASE_TYPES.has(c.type) || ![c.before, c.after].some((s) => asObject(s).name === OBJECT_STORE_RELEASE)) return undefined;
      if (destroys(c)) return c.action;
      const [from, to] = [namespaceOf(c.before), namespaceOf(c.after)];
      return c.action === "update" && from !== to ? `update: namespace ${from} → ${to}` : undefined;
    },
    tolerated: 0,
  },
  {
    id: "stateful-namespace",
    why: "deleting a namespace deletes everything in it: the Ceph cluster's or the monitoring stack's resources and volumes",
    types: NAMESPACE_TYPES,
    hits: (c, plan) => {
      if (!NAMESPACE_TYPES.has(c.type) || !destroys(c)) return undefined;
      const name = namespaceName(c);
      return name !== undefined && plan.statefulNamespaces.has(name) ? `${c.action} namespace ${name}` : undefined;
    },
    tolerated: 0,
  },
  {
    id: "namespace-contents",
    why: "deleting or replacing a namespace deletes everything in it (workloads, Secrets, certificates, volumes), whoever created them",
    types: NAMESPACE_TYPES,
    hits: (c, plan) => {
      if (!NAMESPACE_TYPES.has(c.type) || !destroys(c)) return undefined;
      const name = namespaceName(c);
      // A namespace holding a stateful release is stateful-namespace's: one refusal per change.
      return name !== undefined && plan.statefulNamespaces.has(name) ? undefined : `${c.action} namespace ${name ?? "(unnamed)"}`;
    },
    tolerated: 0,
  },
  {
    id: "kubernetes-secrets",
    why: "a Secret whose data Terraform did not generate (credentials, keys given once) may hold what nothing can restore; generated ones carry the label " +
      REGENERATED_SECRET_LABEL,
    types: SECRET_TYPES,
    hits: (c) => {
      if (!SECRET_TYPES.has(c.type) || !(destroys(c) || c.action === "forget")) return undefined;
      // The join token is regenerated, but without it (deleted, not replaced by a rotation) no node can join.
      if (c.action !== "replace" && asObject(stateOf(c)).type === BOOTSTRAP_TOKEN_SECRET_TYPE) return `${c.action}: the join token`;
      const metadata = stateOf(c).metadata; // a one-element list in the kubernetes provider
      const labels = asObject((Array.isArray(metadata) ? asObject(metadata[0]) : asObject(metadata)).labels);
      return labels[REGENERATED_SECRET_LABEL] === "true" ? undefined : c.action;
    },
    tolerated: 0,
  },
  {
    id: "unknown-type",
    why: "the gate cannot judge what it does not know: destroying or forgetting a resource type no rule covers needs a human (then add a rule for it)",
    types: new Set(),
    hits: (c) => (!KNOWN_TYPES.has(c.type) && (destroys(c) || c.action === "forget") ? c.action : undefined),
    tolerated: 0,
  },
];

/**
 * Changes that pass but that a second reviewer should approve: who may do what in the cluster. Not refusals:
 * a grant is not a blast radius, and the override would not prove a second person looked either; the MR note
 * puts them first so the approver sees them (require a second approval for such MRs, e.g. CODEOWNERS).
 */
export const SECURITY_REVIEWS: readonly SecurityReview[] = [
  {
    id: "rbac-grants",
    why: "it changes who may do what in the cluster (a ClusterRoleBinding to cluster-admin is full control): a second reviewer should approve it",
    types: RBAC_BINDING_TYPES,
    matches: (c) => RBAC_BINDING_TYPES.has(c.type),
  },
];

/** Every type some rule judges, a security review names, or that is harmless by decision. */
export const KNOWN_TYPES: ReadonlySet<string> = new Set([
  ...BLAST_RADIUS_RULES.flatMap((r) => [...r.types]),
  ...SECURITY_REVIEWS.flatMap((r) => [...r.types]),
  ...HARMLESS_TYPES.keys(),
]);

export const ROUTINE_OPERATIONS: readonly RoutineOperation[] = [
  {
    id: "kubernetes-upgrade",
    why: "kubeadm-config names a newer Kubernetes (one minor at most): the next control-plane node rebuilt from the new template upgrades the cluster (kubeadm upgrade apply), one control-plane VM per apply, then each pool (README, \"Upgrading Kubernetes\")",
    matches: (c) => {
      const [from, to] = [clusterConfigVersion(c.before), clusterConfigVersion(c.after)];
      return KUBEADM_CONFIG_TYPES.has(c.type) && c.action === "update" && !!from && !!to && compareVersions(to, from) > 0 && minorOf(to) - minorOf(from) <= 1;
    },
  },
  {
    id: "admin-cert-renewal",
    why: "scheduled renewal of a client certificate (early_renewal_hours): same CA, same key, nothing else changes",
    matches: (c) => {
      const cert = stateOf(c);
      const uses = Array.isArray(cert.allowed_uses) ? cert.allowed_uses : [];
      return (
        c.type === "tls_locally_signed_cert" &&
        c.action === "replace" &&
        c.replaceReasons.length > 0 &&
        c.replaceReasons.every((r) => r === "ready_for_renewal") &&
        cert.is_ca_certificate !== true &&
        uses.includes("client_auth")
      );
    },
  },
  {
    id: "network-policy-change",
    why: "a NetworkPolicy replaced or deleted: nothing is lost, but who may connect changes (a replaced policy is gone for seconds, and the namespace's default-deny refuses what it allowed meanwhile; deleting `default-deny` opens the namespace)",
    matches: (c) => NETWORK_POLICY_TYPES.has(c.type) && destroys(c),
  },
  {
    id: "tenant-limits-change",
    why: "a tenant's ResourceQuota or LimitRange replaced or deleted: nothing is lost, but until it is back the namespace is unbounded (no quota) or its containers get no default limits",
    matches: (c) => TENANT_LIMIT_TYPES.has(c.type) && destroys(c),
  },
  {
    id: "ci-token-renewal",
    why: "scheduled renewal of a tenant's CI token (its time_rotating was due): a new bound token in the kubeconfig output; the old one stays valid until it expires",
    matches: isCiTokenRenewal,
  },
  {
    id: "admission-policy-change",
    why: "the tenant admission policies (Kyverno ClusterPolicies) changed: no data, but what tenants may deploy changes (in Enforce, new pods that break a new rule are refused; running pods stay); read the values diff",
    matches: (c) => HELM_RELEASE_TYPES.has(c.type) && ["update", "replace", "delete"].includes(c.action) && [c.before, c.after].some((s) => asObject(s).name === ADMISSION_POLICIES_RELEASE),
  },
  {
    id: "ceph-osd-device-selection",
    why: "only how Rook picks each node's disk for new OSDs changed (e.g. deviceFilter `^sdb$` to a /dev/disk/by-path devicePathFilter): running OSDs stay, Rook removes or wipes none for a filter; same nodes, nothing else in rook-ceph-cluster changes (a filter that matches another empty disk would put a new OSD on it: read the values diff) (README, \"The platform\", Rook-Ceph)",
    matches: isCephOsdSelectionChange,
  },
  {
    id: "join-token-rotation",
    why: "scheduled join-token rotation (time_rotating): a new kubeadm join token and its bootstrap-token Secret; joined nodes never use the token again, and running VMs ignore user-data, so no VM changes",
    matches: isJoinTokenRotation,
  },
];

/**
 * A rook-ceph-cluster update whose values differ in the disk selection keys of the storage nodes (same nodes,
 * same order) and otherwise at most in what ceph-storage-layout already lets through (daemon resources), with
 * the release itself (name, namespace, chart, version) unchanged.
 */
function isCephOsdSelectionChange(c: PlannedChange): boolean {
  if (!HELM_RELEASE_TYPES.has(c.type) || c.action !== "update" || !chartNames(c.after).includes("rook-ceph-cluster")) return false;
  const [before, after] = [asObject(c.before), asObject(c.after)];
  if (["name", "namespace", "chart", "version", "repository"].some((k) => !sameJson(before[k], after[k]))) return false;
  const [from, to] = [mergedHelmValues(c.before), mergedHelmValues(c.after)];
  if (from === undefined || to === undefined) return false;
  /** The values without the routine cephClusterSpec keys and, with `selection` false, without the nodes' selection keys. */
  const strip = (values: Record<string, unknown>, selection: boolean): unknown => {
    const spec = Object.fromEntries(Object.entries(asObject(values.cephClusterSpec)).filter(([k]) => !CEPH_CLUSTER_SPEC_ROUTINE_KEYS.has(k)));
    const storage = asObject(spec.storage);
    const nodes = Array.isArray(storage.nodes) && !selection
      ? storage.nodes.map((n) => Object.fromEntries(Object.entries(asObject(n)).filter(([k]) => !CEPH_OSD_SELECTION_KEYS.includes(k))))
      : storage.nodes;
    return { ...values, cephClusterSpec: { ...spec, storage: { ...storage, nodes } } };
  };
  return !sameJson(strip(from, true), strip(to, true)) && sameJson(strip(from, false), strip(to, false));
}

/**
 * One piece of a join-token rotation: the time_rotating replaced (due, in a plan without refresh), a random
 * value under `pki` replaced only because its keepers changed (only the token halves keep anything), or
 * a bootstrap-token Secret replaced (its name carries the token id). Deleting the Secret is not routine.
 */
function isJoinTokenRotation(c: PlannedChange): boolean {
  if (c.action !== "replace") return false;
  if (ROTATION_TYPES.has(c.type)) return !isCiTokenRenewal(c);
  if (PKI_RANDOM_TYPES.has(c.type)) {
    const underPki = pathHasSegment(c.path, "pki") || pathHasSegment(c.previousPath, "pki");
    return underPki && c.replaceReasons.length > 0 && c.replaceReasons.every((r) => /^keepers([.[]|$)/.test(r));
  }
  return SECRET_TYPES.has(c.type) && [c.before, c.after].every((s) => asObject(s).type === BOOTSTRAP_TOKEN_SECRET_TYPE);
}

/**
 * A tenant CI token renewed: the TokenRequest replaced (only its renewal keeper triggers that, or a new lifetime),
 * or the time_rotating or terraform_data keeper of a `ci` construct (the path is the only clue that tells them
 * from the join token's rotation and the readiness gates).
 */
function isCiTokenRenewal(c: PlannedChange): boolean {
  if (c.action !== "replace") return false;
  if (c.type === "kubernetes_token_request_v1") return true;
  const underCi = pathHasSegment(c.path, "ci") || pathHasSegment(c.previousPath, "ci");
  return underCi && (ROTATION_TYPES.has(c.type) || c.type === "terraform_data");
}
