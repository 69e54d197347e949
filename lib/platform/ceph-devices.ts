import { allNodes } from "../config/pool-nodes";
import type { EnvironmentConfig, NodePoolConfig } from "../config/types";
import { DATA_DISK_UNIT, guestDiskPathPattern } from "../vsphere/disk-layout";

/**
 * Rook's `devicePathFilter` for a pool, derived from the VM disk layout (lib/vsphere/disk-layout.ts) so the
 * data disk's unit is never typed twice: the by-path name of unit 1 on controller 0, which Terraform fixes
 * (`unit_number`), where the kernel name (`sdb`) follows probe order and may change between boots.
 * Rook matches it against every udev link of a device (pkg/daemon/ceph/osd/daemon.go at v1.20.6).
 * Returns undefined for a pool without a data disk (no OSDs there).
 */
export function cephDevicePathFilter(pool: NodePoolConfig): string | undefined {
  return pool.dataDiskGiB === undefined ? undefined : guestDiskPathPattern(DATA_DISK_UNIT);
}

/** One Ceph OSD host: a node of a pool with a data disk, and the filter for that pool's layout. */
export interface CephOsdNode {
  readonly name: string;
  readonly devicePathFilter: string;
}

/** The OSD hosts of an environment: every node of every worker pool with `dataDiskGiB`, in order. */
export function cephOsdNodes(env: EnvironmentConfig): CephOsdNode[] {
  const filters = new Map(env.workers.map((pool) => [pool.name, cephDevicePathFilter(pool)]));
  return allNodes(env)
    .filter((node) => node.role === "worker" && filters.get(node.pool) !== undefined)
    .map((node) => ({ name: node.name, devicePathFilter: filters.get(node.pool)! }));
}
