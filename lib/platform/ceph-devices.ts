import { allNodes } from "../config/pool-nodes";
import type { EnvironmentConfig, NodePoolConfig } from "../config/types";
import { DATA_DISK_UNIT, guestDeviceForUnit } from "../vsphere/disk-layout";

/**
 * Rook's `deviceFilter` for a pool, derived from the VM disk layout (lib/vsphere/disk-layout.ts) so the
 * data disk's unit is never typed twice: unit 1 on controller 0 is `sdb` in the guest, filter `^sdb$`.
 * Anchored on both ends so a partition (sdb1) or another disk (sdba) is never consumed.
 * Returns undefined for a pool without a data disk (no OSDs there).
 */
export function cephDeviceFilter(pool: NodePoolConfig): string | undefined {
  return pool.dataDiskGiB === undefined ? undefined : `^${guestDeviceForUnit(DATA_DISK_UNIT)}$`;
}

/** One Ceph OSD host: a node of a pool with a data disk, and the filter for that pool's layout. */
export interface CephOsdNode {
  readonly name: string;
  readonly deviceFilter: string;
}

/** The OSD hosts of an environment: every node of every worker pool with `dataDiskGiB`, in order. */
export function cephOsdNodes(env: EnvironmentConfig): CephOsdNode[] {
  const filters = new Map(env.workers.map((pool) => [pool.name, cephDeviceFilter(pool)]));
  return allNodes(env)
    .filter((node) => node.role === "worker" && filters.get(node.pool) !== undefined)
    .map((node) => ({ name: node.name, deviceFilter: filters.get(node.pool)! }));
}
