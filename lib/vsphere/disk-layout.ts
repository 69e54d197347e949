/**
 * Disk layout of every node, shared by the VM clone (lib/vsphere) and Rook-Ceph (lib/platform):
 * one pvscsi/lsilogic controller, OS disk on unit 0, the optional raw data disk on unit 1.
 * Rook's device filter is derived from here, so the layout is never typed twice.
 */
export const OS_DISK_UNIT = 0;
export const DATA_DISK_UNIT = 1;

/**
 * Linux block device name of the disk on SCSI unit `unit` of controller 0. The guest names SCSI disks
 * in target order (sda, sdb, ...) and a VM with one controller has no other SCSI targets before ours.
 */
export function guestDeviceForUnit(unit: number): string {
  if (!Number.isInteger(unit) || unit < 0 || unit > 14 || unit === 7) {
    // Unit 7 is the controller itself on SCSI buses; 15 units per controller.
    throw new Error(`SCSI unit ${unit} is not a disk unit on controller 0`);
  }
  const index = unit > 7 ? unit - 1 : unit;
  return `sd${String.fromCharCode("a".charCodeAt(0) + index)}`;
}
