/**
 * What a planned change IS and DOES, read from provider attributes rather than from names: the
 * blast-radius rules are written in these terms. Every function is pure and reads only plan JSON.
 */
import type { PlannedChange } from "./planned-change";
import { mergedHelmValues } from "./helm-values";
import { sameJson } from "./same-json";

type State = Record<string, unknown>;

/** The resource's state before the change, or the planned state for a pure create. */
export function stateOf(change: PlannedChange): State {
  return asObject(change.before ?? change.after);
}

/** True when a construct path has `segment` as one of its parts: `cluster/control-plane/node-1`. */
export function pathHasSegment(path: string | undefined, segment: string): boolean {
  return (path ?? "").split("/").some((p) => p === segment || p.replace(/\[.*$/, "") === segment);
}

/** Replaced or deleted: the thing that exists now is gone after the apply. */
export function destroys(change: PlannedChange): boolean {
  return change.action === "replace" || change.action === "delete";
}

// --- VMs -----------------------------------------------------------------------------------------

/**
 * NodePool names VMs `<environment>-<pool>-<n>` and the control-plane pool is `control-plane`, so
 * the vSphere name says what a VM is even when its address does not (a module's `node[0]`, a
 * resource renamed by a `moved` block).
 */
const CONTROL_PLANE_NAME = /(^|[-_.])control-plane([-_.]|$)/;

export function isControlPlaneVm(change: PlannedChange): boolean {
  const names = [stateOf(change).name, asObject(change.after).name].filter((n): n is string => typeof n === "string");
  return (
    names.some((n) => CONTROL_PLANE_NAME.test(n)) ||
    pathHasSegment(change.path, "control-plane") ||
    pathHasSegment(change.previousPath, "control-plane")
  );
}

interface Disk {
  readonly key: string;
  readonly unit: number;
  readonly size: number;
}

function disksOf(state: unknown): Disk[] {
  const list = asObject(state).disk;
  return (Array.isArray(list) ? list : []).map((d, i) => {
    const disk = asObject(d);
    const unit = Number(disk.unit_number ?? i);
    return { key: typeof disk.label === "string" ? disk.label : `unit ${unit}`, unit, size: Number(disk.size ?? 0) };
  });
}

/**
 * A VM carries a Ceph data disk when it has more than one disk, or any disk on SCSI unit >= 1:
 * NodePool adds the raw OSD disk after the OS disk (unit 0). Losing it loses that OSD's data.
 */
export function hasDataDisk(state: unknown): boolean {
  const disks = disksOf(state);
  return disks.length > 1 || disks.some((d) => d.unit >= 1);
}

/**
 * Disks an in-place VM update removes or shrinks. The plan says `update`, but the vSphere provider
 * detaches and DELETES a removed disk's VMDK (unless keep_on_remove): the data is gone.
 */
export function disksLost(change: PlannedChange): string[] {
  if (change.action !== "update") return [];
  const after = new Map(disksOf(change.after).map((d) => [d.key, d]));
  return disksOf(change.before).flatMap((d) => {
    const now = after.get(d.key);
    if (!now) return [`removes disk ${d.key} (${d.size} GiB)`];
    return now.size < d.size ? [`shrinks disk ${d.key} from ${d.size} to ${now.size} GiB`] : [];
  });
}

/** VM attributes whose change the vSphere provider applies by powering the VM off and on. */
const REBOOTING_ATTRIBUTES = [
  "guest_id",
  "firmware",
  "efi_secure_boot_enabled",
  "num_cores_per_socket",
  "cpu_hot_add_enabled",
  "memory_hot_add_enabled",
  // DESIGN: changing extra_config reboots the VM (and does not re-run cloud-init).
  "extra_config",
];

/**
 * Why an in-place VM update reboots it, or [] when it does not. CPU and memory can only grow
 * while running, and only when hot-add was already enabled before the change.
 */
export function rebootReasons(change: PlannedChange): string[] {
  if (change.action !== "update") return [];
  const before = asObject(change.before);
  const after = asObject(change.after);
  const reasons = REBOOTING_ATTRIBUTES.filter((a) => a in after && !sameJson(before[a], after[a])).map((a) => `reboots (${a})`);
  const resized = (attr: string, hotAdd: string) => {
    const b = Number(before[attr]);
    const a = Number(after[attr]);
    if (!(attr in after) || Number.isNaN(a) || a === b) return;
    if (a < b) reasons.push(`reboots (${attr} ${b} → ${a}: no hot-remove)`);
    else if (before[hotAdd] !== true) reasons.push(`reboots (${attr} ${b} → ${a} without ${hotAdd})`);
  };
  resized("num_cpus", "cpu_hot_add_enabled");
  resized("memory", "memory_hot_add_enabled");
  return reasons;
}

// --- Helm releases ---------------------------------------------------------------------------------

/**
 * The chart a helm_release installs, from whatever form `chart` takes: `rook-ceph-cluster`,
 * `rook-release/rook-ceph-cluster`, `oci://host:5050/charts/rook-ceph-cluster`, a packaged
 * `charts/rook-ceph-cluster-v1.15.3.tgz` or a local directory `./vendor/rook-ceph-cluster/`.
 */
export function normalizeChart(chart: string): string {
  const last = chart.replace(/[?#].*$/, "").replace(/\/+$/, "").split("/").pop() ?? "";
  const withoutRef = last.replace(/@sha256:.*$/, "").replace(/:[^:]*$/, "");
  if (!/\.(tgz|tar\.gz)$/.test(withoutRef)) return withoutRef;
  // Helm packages are named <chart>-<semver>.tgz.
  return withoutRef.replace(/\.(tgz|tar\.gz)$/, "").replace(/-v?\d+\.\d+\.\d+.*$/, "");
}

/**
 * Every name the release's chart goes by: the `chart` argument and, once installed, the chart name
 * Helm recorded in `metadata` (an object in provider 3.x, a list before): a local path like
 * `./chart` says nothing, the recorded name does.
 */
export function chartNames(state: unknown): string[] {
  const s = asObject(state);
  const metadata = Array.isArray(s.metadata) ? asObject(s.metadata[0]) : asObject(s.metadata);
  return [s.chart, metadata.chart].filter((c): c is string => typeof c === "string" && c !== "").map(normalizeChart);
}

export function namespaceOf(state: unknown): string {
  const ns = asObject(state).namespace;
  return typeof ns === "string" && ns !== "" ? ns : "default";
}

/** Keys under which two sets of Helm values differ (values YAML merged in order): the top-level ones, or those of the map at `under`. */
export function changedValueKeys(change: PlannedChange, under?: string): Set<string> {
  if (sameJson(asObject(change.before).values, asObject(change.after).values)) return new Set();
  const at = (state: unknown): State => {
    const values = mergedHelmValues(state) ?? {};
    return under === undefined ? values : asObject(values[under]);
  };
  const before = at(change.before);
  const after = at(change.after);
  const keys = new Set<string>();
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) if (!sameJson(before[k], after[k])) keys.add(k);
  return keys;
}

export function asObject(value: unknown): State {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as State) : {};
}
