/**
 * The blast-radius rules: which destructive changes a plan may not make without someone
 * explicitly accepting them. Every rule reads only what a plan and the cdktf synth tell us: the
 * resource type, the construct path (from cdktf metadata) and the resource's state before the change.
 *
 * A rule looks at the replacements and deletions of ONE stack and says which of them are too many.
 * "Too many" is per rule: losing one control-plane VM of three keeps etcd quorum, losing two does not.
 */
import type { PlannedChange } from "./planned-change";

export interface BlastRadiusRule {
  readonly id: string;
  /** Why the rule exists, shown in the refusal. */
  readonly why: string;
  /** Whether this replacement/deletion is one the rule is about. */
  readonly matches: (change: PlannedChange) => boolean;
  /** How many matching changes are tolerated in one plan (0 = none). */
  readonly tolerated: number;
}

/** Resource types by role. Kept in one place so a renamed provider resource is one edit. */
export const VM_TYPES: ReadonlySet<string> = new Set(["vsphere_virtual_machine"]);
export const PKI_TYPES: ReadonlySet<string> = new Set([
  "tls_private_key",
  "tls_self_signed_cert",
  "tls_locally_signed_cert",
  "tls_cert_request",
]);
/** Random values only count as PKI under a `pki` construct (bootstrap token, certificate key). */
export const PKI_RANDOM_TYPES: ReadonlySet<string> = new Set(["random_password", "random_string", "random_bytes", "random_id"]);
export const HELM_RELEASE_TYPES: ReadonlySet<string> = new Set(["helm_release"]);
/** Charts whose release holds data: Ceph OSDs and pools, Prometheus TSDB and Alertmanager state. */
export const STATEFUL_CHARTS: ReadonlySet<string> = new Set(["rook-ceph", "rook-ceph-cluster", "kube-prometheus-stack"]);

/** True when a construct path has `segment` as one of its parts: `cluster/control-plane/node-1`. */
export function pathHasSegment(path: string, segment: string): boolean {
  return path.split("/").includes(segment);
}

/** The resource's state the rules judge: before the change, or the planned state for a pure create. */
export function stateOf(change: PlannedChange): Record<string, unknown> {
  const s = change.before ?? change.after;
  return typeof s === "object" && s !== null && !Array.isArray(s) ? (s as Record<string, unknown>) : {};
}

/**
 * A VM carries a Ceph data disk when it has more than one disk, or any disk on SCSI unit >= 1:
 * NodePool adds the raw OSD disk after the OS disk (unit 0). Losing it loses that OSD's data.
 */
export function hasDataDisk(state: Record<string, unknown>): boolean {
  const disks = Array.isArray(state.disk) ? state.disk : [];
  return (
    disks.length > 1 ||
    disks.some((d) => typeof d === "object" && d !== null && Number((d as Record<string, unknown>).unit_number) >= 1)
  );
}

/** The chart name of a helm_release, also when it is an OCI reference (`oci://registry/charts/rook-ceph`). */
export function chartName(state: Record<string, unknown>): string {
  const chart = typeof state.chart === "string" ? state.chart : "";
  return chart.split("/").pop() ?? "";
}

export const BLAST_RADIUS_RULES: readonly BlastRadiusRule[] = [
  {
    id: "control-plane-vms",
    why: "more than one control-plane VM at once can break etcd quorum and take the API server down",
    matches: (c) => VM_TYPES.has(c.type) && pathHasSegment(c.path, "control-plane"),
    tolerated: 1,
  },
  {
    id: "ceph-data-disk-vms",
    why: "more than one VM with a Ceph data disk at once can lose placement groups (data) before Ceph re-replicates",
    matches: (c) => VM_TYPES.has(c.type) && hasDataDisk(stateOf(c)),
    tolerated: 1,
  },
  {
    id: "cluster-pki",
    why: "a new cluster CA, key or bootstrap secret invalidates every kubeconfig and node certificate",
    matches: (c) => PKI_TYPES.has(c.type) || (PKI_RANDOM_TYPES.has(c.type) && pathHasSegment(c.path, "pki")),
    tolerated: 0,
  },
  {
    id: "stateful-helm-release",
    why: "uninstalling Rook or the monitoring stack deletes storage and metrics, and leaves CRDs and finalizers behind",
    matches: (c) => HELM_RELEASE_TYPES.has(c.type) && STATEFUL_CHARTS.has(chartName(stateOf(c))),
    tolerated: 0,
  },
];
