/**
 * Disk layout of every node, shared by the VM clone (lib/vsphere) and Rook-Ceph (lib/platform):
 * one pvscsi/lsilogic controller, OS disk on unit 0, the optional raw data disk on unit 1.
 * Rook's device path filter is derived from here, so the layout is never typed twice.
 */
export const OS_DISK_UNIT = 0;
export const DATA_DISK_UNIT = 1;

function checkDiskUnit(unit: number): void {
  if (!Number.isInteger(unit) || unit < 0 || unit > 14 || unit === 7) {
    // Unit 7 is the controller itself on SCSI buses; 15 units per controller.
    throw new Error(`SCSI unit ${unit} is not a disk unit on controller 0`);
  }
}

/**
 * Linux block device name of the disk on SCSI unit `unit` of controller 0, as the kernel usually names it:
 * SCSI disks in probe order (sda, sdb, ...). Only usually: the order is not guaranteed across boots (a
 * slow target, async probing), which is why Rook selects the data disk by guestDiskPathPattern() instead.
 */
export function guestDeviceForUnit(unit: number): string {
  checkDiskUnit(unit);
  const index = unit > 7 ? unit - 1 : unit;
  return `sd${String.fromCharCode("a".charCodeAt(0) + index)}`;
}

/**
 * Regular expression for udev's stable name of the whole disk on SCSI unit `unit` of controller 0:
 * `/dev/disk/by-path/pci-<controller's PCI address>-scsi-<host>:<channel>:<target>:<lun>`. systemd's path_id
 * numbers the host from 0 per controller; pvscsi and LSI Logic (parallel) put vSphere's unit N on channel 0,
 * target N, LUN 0. The PCI address depends on the VM's virtual hardware, so any is accepted: a node has one
 * SCSI controller. Anchored at the end, so a partition (`...-part1`) never matches. LSI Logic SAS disks get
 * SAS names (`-sas-...`) instead: template-fit refuses that controller for pools with a data disk.
 */
export function guestDiskPathPattern(unit: number): string {
  checkDiskUnit(unit);
  return `^/dev/disk/by-path/pci-[0-9a-f:.]+-scsi-0:0:${unit}:0$`;
}
