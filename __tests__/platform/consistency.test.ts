import { cephDevicePathFilter, cephOsdNodes } from "../../lib/platform/ceph-devices";
import { CEPH_BLOCK_STORAGE_CLASS } from "../../lib/platform/names";
import { poolNodes } from "../../lib/config/pool-nodes";
import { DATA_DISK_UNIT, guestDiskPathPattern, OS_DISK_UNIT } from "../../lib/vsphere/disk-layout";
import { synthEnvironments } from "../helpers/synth";
import { environment } from "./fixtures";
import { synthPlatform } from "./synth";

describe.each([["sandbox"], ["dev"], ["prod"]] as const)("consistency (%s)", (tier) => {
  const env = environment(tier);
  const { releases } = synthPlatform(env);
  const calico = releases.calico.values as any;
  const rook = releases["rook-ceph-cluster"].values as any;

  it("Calico takes the node address kubeadm registered, never the first found (the API VIP moves between nodes)", () => {
    expect(calico.installation.calicoNetwork.nodeAddressAutodetectionV4).toEqual({ kubernetes: "NodeInternalIP" });
  });

  it("Calico's IP pool is kubernetes.podCidr, the field kubeadm's podSubnet is rendered from", () => {
    expect(calico.installation.calicoNetwork.ipPools.map((p: any) => p.cidr)).toEqual([env.kubernetes.podCidr]);
  });

  it("OSDs only on nodes of pools with a data disk, selected by the by-path name of the unit the VM's data disk is on", () => {
    const expected = env.workers.filter((p) => p.dataDiskGiB !== undefined).flatMap((p) => poolNodes(env.name, p, "worker").map((n) => n.name));
    const storage = rook.cephClusterSpec.storage;
    expect(storage.useAllNodes).toBe(false);
    expect(storage.useAllDevices).toBe(false);
    // No cluster-level filter: Rook copies one onto every node, and a deviceFilter wins over devicePathFilter.
    expect(storage.deviceFilter).toBeUndefined();
    expect(storage.devicePathFilter).toBeUndefined();
    expect(storage.nodes.map((n: any) => n.name)).toEqual(expected);
    // The unit Terraform gives each storage node's data disk, read from the synthesized VMs.
    const vms = Object.values<any>(synthEnvironments([env]).stacks[env.name].resource.vsphere_virtual_machine);
    const units = new Map(vms.map((vm) => [vm.name, vm.disk.map((d: any) => d.unit_number)]));
    // Links udev creates for each disk of a vSphere pvscsi controller (systemd path_id: pci-<controller>-scsi-<host>:<channel>:<target>:<lun>).
    const byPath = (unit: number) => `/dev/disk/by-path/pci-0000:03:00.0-scsi-0:0:${unit}:0`;
    for (const n of storage.nodes) {
      expect(Object.keys(n)).toEqual(["name", "devicePathFilter"]); // a deviceFilter or devices list would make Rook ignore it
      const filter = new RegExp(n.devicePathFilter);
      const [os, data] = units.get(n.name)!;
      expect(filter.test(byPath(data))).toBe(true);
      expect(filter.test(byPath(os))).toBe(false); // never the OS disk
      expect(filter.test(`${byPath(data)}-part1`)).toBe(false); // never a partition
      expect(filter.test("/dev/sdb")).toBe(false); // never by kernel name
      expect(filter.test(`/dev/disk/by-path/pci-0000:00:10.0-scsi-0:0:${data}:0`)).toBe(true); // LSI Logic's PCI slot
    }
  });

  it("monitoring's storage class is the one Rook creates, as the default class", () => {
    const created = rook.cephBlockPools.map((p: any) => p.storageClass).filter((sc: any) => sc.enabled);
    expect(created).toEqual([expect.objectContaining({ enabled: true, name: CEPH_BLOCK_STORAGE_CLASS, isDefault: true })]);
    const kps = releases["kube-prometheus-stack"].values as any;
    expect(kps.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName).toBe(CEPH_BLOCK_STORAGE_CLASS);
  });

  it("every pool Ceph creates keeps the cluster's replication, so the cluster can turn HEALTH_OK", () => {
    const data = rook.cephBlockPools.find((p: any) => p.storageClass.enabled).spec.replicated;
    const mgr = rook.cephBlockPools.find((p: any) => p.spec.name === ".mgr");
    expect(mgr).toMatchObject({ name: "builtin-mgr", storageClass: { enabled: false } });
    expect(mgr.spec.replicated).toEqual(data);
    expect(rook.configOverride).toContain(`osd_pool_default_size = ${data.size}`);
    // One copy is the sandbox's normal state: Ceph must not warn about it forever.
    expect(rook.configOverride.includes("mon_warn_on_pool_no_redundancy = false")).toBe(data.size === 1);
  });

  it("mons, replication and dataDirHostPath per environment", () => {
    const spec = rook.cephClusterSpec;
    expect(spec.dataDirHostPath).toBe("/var/lib/rook");
    const size = rook.cephBlockPools[0].spec.replicated.size;
    if (tier === "sandbox") {
      expect(spec.mon).toEqual({ count: 1, allowMultiplePerNode: true });
      expect(size).toBe(1);
    } else {
      expect(spec.mon).toEqual({ count: 3, allowMultiplePerNode: false });
      expect(size).toBe(3);
    }
    expect(size).toBeLessThanOrEqual(spec.storage.nodes.length);
  });
});

describe("device path filter derivation", () => {
  it("follows DATA_DISK_UNIT and is undefined without a data disk", () => {
    const pool = environment("prod").workers[0];
    expect(cephDevicePathFilter(pool)).toBe(guestDiskPathPattern(DATA_DISK_UNIT));
    expect(guestDiskPathPattern(DATA_DISK_UNIT)).toBe("^/dev/disk/by-path/pci-[0-9a-f:.]+-scsi-0:0:1:0$");
    expect(guestDiskPathPattern(OS_DISK_UNIT)).not.toBe(guestDiskPathPattern(DATA_DISK_UNIT));
    expect(() => guestDiskPathPattern(7)).toThrow("SCSI unit 7 is not a disk unit on controller 0");
    expect(cephDevicePathFilter({ ...pool, dataDiskGiB: undefined })).toBeUndefined();
    expect(cephOsdNodes(environment("prod")).map((n) => n.name)).toEqual(["prod-storage-1", "prod-storage-2", "prod-storage-3"]);
  });
});
