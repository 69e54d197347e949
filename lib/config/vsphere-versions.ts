/**
 * What each supported vSphere version allows a node image to be. The limit is set by the oldest
 * ESXi host in the compute cluster (a VM only runs on hosts that know its hardware version and guest
 * id), so `vsphere.version` names that host's version. packer/variables.pkr.hcl carries the same
 * table (a test keeps them equal) and the README shows it.
 *
 * Sources: VMware KB 1003746 (hardware versions: 15 = ESXi 6.7 U2, 19 = 7.0 U2, 20 = 8.0) and the
 * vSphere API's VirtualMachineGuestOsIdentifier ("since" per id: rhel8_64Guest and
 * other4xLinux64Guest 6.7, rhel9_64Guest and other5xLinux64Guest 7.0.1).
 */
export const VSPHERE_VERSIONS = ["6.7", "7.0", "8.0"] as const;
export type VsphereVersion = (typeof VSPHERE_VERSIONS)[number];

/** The version assumed when the site does not say: what the default image (hardware 19, rhel9) needs. */
export const DEFAULT_VSPHERE_VERSION: VsphereVersion = "7.0";

export interface VsphereVersionLimits {
  /** What the version means exactly: older updates need a lower hardware version (see README). */
  readonly means: string;
  readonly maxHardwareVersion: number;
  /** Guest ids a Rocky Linux 9 node may carry on this version; the first is the default. */
  readonly guestIds: readonly string[];
  /**
   * Before 7.0 U1, VMware Tools' `syncTimeWithHost` means periodic sync, which fights chrony; from
   * 7.0 U1 the same flag only syncs at power-on/resume and periodic sync is a separate flag.
   */
  readonly hostTimeSyncIsPeriodic: boolean;
}

export const VSPHERE_VERSION_LIMITS: Readonly<Record<VsphereVersion, VsphereVersionLimits>> = {
  "6.7": { means: "ESXi 6.7 U2 or later 6.7", maxHardwareVersion: 15, guestIds: ["rhel8_64Guest", "other4xLinux64Guest"], hostTimeSyncIsPeriodic: true },
  "7.0": {
    means: "ESXi 7.0 U2 or later 7.0",
    maxHardwareVersion: 19,
    guestIds: ["rhel9_64Guest", "rhel8_64Guest", "other5xLinux64Guest", "other4xLinux64Guest"],
    hostTimeSyncIsPeriodic: false,
  },
  "8.0": {
    means: "ESXi 8.0 or later",
    maxHardwareVersion: 20,
    guestIds: ["rhel9_64Guest", "rhel8_64Guest", "other5xLinux64Guest", "other4xLinux64Guest"],
    hostTimeSyncIsPeriodic: false,
  },
};

/** Oldest hardware version the image supports (EFI boot, PVSCSI and vmxnet3 together). */
export const MIN_HARDWARE_VERSION = 13;
