import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { ConfigError } from "../../lib/config/problems";
import { prodCopy, sandboxCopy } from "../helpers/environments";
import { resourcesByPath, synthEnvironments } from "../helpers/synth";

const decode = (b64: string) => JSON.parse(gunzipSync(Buffer.from(b64, "base64")).toString("utf8"));

describe("NodePool in the prod stack", () => {
  const prod = synthEnvironments([prodCopy()]).stacks.prod;
  const vms = resourcesByPath(prod, "vsphere_virtual_machine");
  const templateRef = Object.keys(prod.data.vsphere_virtual_machine)[0];

  it("clones one VM per node: 3 control-plane, 3 storage, 4 general", () => {
    expect(Object.keys(vms).sort()).toEqual([
      "cluster/control-plane/node-1", "cluster/control-plane/node-2", "cluster/control-plane/node-3",
      "cluster/workers-general/node-1", "cluster/workers-general/node-2", "cluster/workers-general/node-3", "cluster/workers-general/node-4",
      "cluster/workers-storage/node-1", "cluster/workers-storage/node-2", "cluster/workers-storage/node-3",
    ]);
    expect(vms["cluster/workers-general/node-4"].name).toBe("prod-general-4");
    expect(vms["cluster/workers-storage/node-2"]).toMatchObject({ num_cpus: 8, memory: 32768, folder: "kubernetes/prod", enable_disk_uuid: true });
  });

  it("clones from the template in the Packer manifest and copies its hardware facts", () => {
    expect(prod.data.vsphere_virtual_machine[templateRef].name).toBe("rocky9-k8s-1.35.9-20261101T0900");
    for (const vm of Object.values<any>(vms)) {
      expect(vm.clone.template_uuid).toBe(`\${data.vsphere_virtual_machine.${templateRef}.id}`);
      expect(vm.scsi_type).toBe(`\${data.vsphere_virtual_machine.${templateRef}.scsi_type}`);
      expect(vm.firmware).toBe(`\${data.vsphere_virtual_machine.${templateRef}.firmware}`);
      expect(vm.guest_id).toBe(`\${data.vsphere_virtual_machine.${templateRef}.guest_id}`);
      expect(vm.disk[0].thin_provisioned).toBe(`\${data.vsphere_virtual_machine.${templateRef}.disks[0].thin_provisioned}`);
    }
  });

  it("provisions the OS disk as the template's and the Ceph disk thick, lazily zeroed, whatever the template", () => {
    const [os, data] = vms["cluster/workers-storage/node-1"].disk;
    expect(os).toMatchObject({
      thin_provisioned: `\${data.vsphere_virtual_machine.${templateRef}.disks[0].thin_provisioned}`,
      eagerly_scrub: `\${data.vsphere_virtual_machine.${templateRef}.disks[0].eagerly_scrub}`,
    });
    expect(data).toMatchObject({ thin_provisioned: false, eagerly_scrub: false });
  });

  it("copies secure boot from the template and keeps periodic host time sync off (chrony owns the clock)", () => {
    for (const vm of Object.values<any>(vms)) {
      expect(vm.efi_secure_boot_enabled).toBe(`\${data.vsphere_virtual_machine.${templateRef}.efi_secure_boot_enabled}`);
      // vSphere 7.0 (the default): the flag only syncs at power-on/resume; periodic is its own flag.
      expect(vm).toMatchObject({ sync_time_with_host: true, sync_time_with_host_periodically: false });
    }
  });

  it("looks the resource pool up by name under the cluster's root pool, not by inventory path", () => {
    const pools = Object.values<any>(prod.data.vsphere_resource_pool);
    const cluster = Object.keys(prod.data.vsphere_compute_cluster)[0];
    expect(pools).toEqual([expect.objectContaining({ name: "prod", parent_resource_pool_id: `\${data.vsphere_compute_cluster.${cluster}.resource_pool_id}` })]);
    expect(pools[0].datacenter_id).toBeUndefined();
    const poolRef = `\${data.vsphere_resource_pool.${Object.keys(prod.data.vsphere_resource_pool)[0]}.id}`;
    for (const vm of Object.values<any>(vms)) expect(vm.resource_pool_id).toBe(poolRef);
  });

  it("gives storage nodes a raw data disk on unit 1 and other nodes only the OS disk", () => {
    expect(vms["cluster/workers-storage/node-1"].disk).toEqual([
      expect.objectContaining({ label: "disk0", unit_number: 0, size: 80 }),
      expect.objectContaining({ label: "disk1", unit_number: 1, size: 1024 }),
    ]);
    expect(vms["cluster/workers-general/node-1"].disk).toEqual([expect.objectContaining({ label: "disk0", unit_number: 0, size: 100 })]);
    expect(vms["cluster/control-plane/node-1"].disk).toHaveLength(1);
  });

  it("delivers a gzip+base64 cloud-init metadata with the node's static IP", () => {
    const vm = vms["cluster/workers-general/node-2"];
    expect(vm.extra_config["guestinfo.metadata.encoding"]).toBe("gzip+base64");
    const metadata = decode(vm.extra_config["guestinfo.metadata"]);
    expect(metadata).toMatchObject({
      "instance-id": "prod-general-2-r0",
      "local-hostname": "prod-general-2",
      network: {
        version: 2,
        ethernets: {
          ens192: {
            addresses: ["10.20.30.42/24"],
            routes: [{ to: "0.0.0.0/0", via: "10.20.30.1" }],
            nameservers: { addresses: ["10.0.0.53", "10.0.1.53"], search: ["example.internal"] },
          },
        },
      },
    });
  });

  it("spreads each pool with a non-mandatory DRS rule named after the environment", () => {
    const rules = resourcesByPath(prod, "vsphere_compute_cluster_vm_anti_affinity_rule");
    expect(Object.keys(rules).sort()).toEqual(["cluster/control-plane/anti-affinity", "cluster/workers-general/anti-affinity", "cluster/workers-storage/anti-affinity"]);
    const storage = rules["cluster/workers-storage/anti-affinity"];
    expect(storage.name).toBe("prod-storage-anti-affinity");
    expect(storage.mandatory).toBe(false);
    const vmRef = (path: string) => `\${vsphere_virtual_machine.${vms[path]["//"].metadata.uniqueId}.id}`;
    expect(storage.virtual_machine_ids).toEqual([1, 2, 3].map((n) => vmRef(`cluster/workers-storage/node-${n}`)));
  });

  it("replaces a pool's DRS rule when a member VM is replaced (its id changes), not when one is updated", () => {
    const rules = resourcesByPath(prod, "vsphere_compute_cluster_vm_anti_affinity_rule");
    for (const [pool, count] of [["control-plane", 3], ["workers-storage", 3], ["workers-general", 4]] as const) {
      const ids = Array.from({ length: count }, (_, i) => `vsphere_virtual_machine.${vms[`cluster/${pool}/node-${i + 1}`]["//"].metadata.uniqueId}.id`);
      expect(rules[`cluster/${pool}/anti-affinity`].lifecycle).toEqual({ replace_triggered_by: ids });
    }
  });

  it("outputs node names and IPs per pool", () => {
    expect(prod.output["nodes_storage"].value).toEqual({
      "prod-storage-1": "10.20.30.31", "prod-storage-2": "10.20.30.32", "prod-storage-3": "10.20.30.33",
    });
  });
});

describe("rolling safety", () => {
  const vmsOf = (env: any) => resourcesByPath(synthEnvironments([env]).stacks.prod, "vsphere_virtual_machine");

  it("ignores on existing nodes everything a new template or a pool size changes (real plans: rolling-lifecycle.test.ts)", () => {
    for (const vm of Object.values<any>(vmsOf(prodCopy()))) {
      expect(vm.lifecycle.ignore_changes).toEqual([
        "clone[0].template_uuid", "extra_config",
        "guest_id", "firmware", "efi_secure_boot_enabled", "scsi_type", "network_interface[0].adapter_type",
        "disk[0].thin_provisioned", "disk[0].eagerly_scrub", "disk[1].thin_provisioned", "disk[1].eagerly_scrub",
        "num_cpus", "memory",
      ]);
    }
  });

  it("every ignored attribute is one the VM really sets from the template or the pool", () => {
    const vm = vmsOf(prodCopy())["cluster/workers-storage/node-1"];
    // cdktf writes single-item blocks (clone) as an object, lists of blocks (disk) as arrays.
    const at = (path: string) =>
      path.split(/\.|\[(\d+)\]\.?/).filter((k) => k !== undefined && k !== "").reduce((o: any, k) => (/^\d+$/.test(k) && !Array.isArray(o) ? o : o?.[k]), vm);
    for (const path of vm.lifecycle.ignore_changes) expect({ path, set: at(path) !== undefined }).toEqual({ path, set: true });
  });

  it("a new template changes nothing Terraform acts on for existing nodes", () => {
    const before = vmsOf(prodCopy());
    const next = prodCopy();
    next.template = { name: "rocky9-k8s-1.35.9-20261201T0900", os: "rocky-9", diskGiB: 40, kubernetesVersion: "1.35.9" };
    const after = vmsOf(next);
    for (const [path, vm] of Object.entries<any>(after)) {
      // Only attributes that read the (new) template data source or are ignored may differ.
      const strip = (r: any) => ({ ...r, clone: undefined, extra_config: undefined });
      expect(strip(vm)).toEqual(strip(before[path]));
      expect(vm.replace_trigger).toBe("revision-0");
    }
  });

  it("bumping one node's revision changes that node's replace trigger and metadata only", () => {
    const env = prodCopy();
    env.workers[1].nodeRevisions = { "prod-general-2": 1 };
    const vms = vmsOf(env);
    const triggers = Object.fromEntries(Object.entries<any>(vms).map(([p, vm]) => [p, vm.replace_trigger]));
    expect(Object.entries(triggers).filter(([, t]) => t !== "revision-0")).toEqual([["cluster/workers-general/node-2", "revision-1"]]);
    expect(decode(vms["cluster/workers-general/node-2"].extra_config["guestinfo.metadata"])["instance-id"]).toBe("prod-general-2-r1");
  });
});

describe("template fit", () => {
  it("refuses an OS disk smaller than the template's disk, naming the pool", () => {
    const env = sandboxCopy();
    env.workers[0].osDiskGiB = 30;
    expect(() => synthEnvironments([env])).toThrow(ConfigError);
    expect(() => synthEnvironments([env])).toThrow(
      "sandbox.workers[0].osDiskGiB: 30 is smaller than the template's 40 GiB disk (rocky9-k8s-1.35.9-20261101T0900); a clone's disk cannot shrink: use at least 40",
    );
  });

  it("refuses an LSI Logic SAS template for a pool with a Ceph data disk (udev names SAS disks by address, not unit)", () => {
    const env = prodCopy();
    env.template = { name: "rocky9-k8s-1.35.9-20261201T0900", os: "rocky-9", diskGiB: 40, kubernetesVersion: "1.35.9", scsiType: "lsilogic-sas" };
    const i = env.workers.findIndex((p: any) => p.dataDiskGiB !== undefined);
    expect(() => synthEnvironments([env])).toThrow(
      `prod.workers[${i}].dataDiskGiB: ${env.workers[i].dataDiskGiB} needs a SCSI controller whose disks udev names by unit (/dev/disk/by-path/...-scsi-0:0:<unit>:0), but the template "rocky9-k8s-1.35.9-20261201T0900" has "lsilogic-sas"`,
    );
    // Only the pools with a data disk: the others (and the control plane) are fine on it.
    const message = (() => { try { synthEnvironments([env]); return ""; } catch (e) { return String(e); } })();
    expect(message.match(/dataDiskGiB:/g)).toHaveLength(env.workers.filter((p: any) => p.dataDiskGiB !== undefined).length);
  });

  it("refuses a cluster version that differs from the template's", () => {
    const env = sandboxCopy();
    env.kubernetes.version = "1.34.2";
    expect(() => synthEnvironments([env])).toThrow(
      'sandbox.kubernetes.version: "1.34.2" differs from the node template "rocky9-k8s-1.35.9-20261101T0900", built for Kubernetes "1.35.9" (packer/manifest.json); set kubernetes.version to "1.35.9" or build a template for "1.34.2" (packer/)',
    );
  });

  it("has no anti-affinity rule for a single-node pool (vSphere needs two VMs)", () => {
    const sandbox = synthEnvironments([sandboxCopy()]).stacks.sandbox;
    expect(sandbox.resource.vsphere_compute_cluster_vm_anti_affinity_rule).toBeUndefined();
  });
});

describe("per vSphere version (vsphere.version)", () => {
  /** A Packer manifest in a temp dir: one build, published to a content library. */
  const manifest = (extra: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), "manifest-"));
    const custom_data = {
      template_name: "rocky9-k8s-1.35.9-20261101T0900", content_library: "k8s-images", os: "rocky-9", kubernetes_version: "1.35.9",
      disk_gib: "40", firmware: "efi", scsi_type: "pvscsi", build_id: "20261101T0900", ...extra,
    };
    const file = join(dir, "manifest.json");
    writeFileSync(file, JSON.stringify({ builds: [{ name: "rocky9", packer_run_uuid: "u1", custom_data }], last_run_uuid: "u1" }));
    return file;
  };
  const sandboxOn = (version: string | undefined, extra: Record<string, string>) => {
    const env = sandboxCopy();
    if (version !== undefined) env.vsphere.version = version;
    env.template = { manifest: manifest(extra) };
    return env;
  };
  const synthSandbox = (env: any) => synthEnvironments([env]).stacks.sandbox;

  it("6.7: clones the content-library OVF item with the manifest's guest id and no periodic host time sync", () => {
    const stack = synthSandbox(sandboxOn("6.7", { hardware_version: "15", guest_os_type: "rhel8_64Guest" }));
    expect(Object.values<any>(stack.data.vsphere_content_library_item)).toEqual([expect.objectContaining({ name: "rocky9-k8s-1.35.9-20261101T0900", type: "ovf" })]);
    for (const vm of Object.values<any>(resourcesByPath(stack, "vsphere_virtual_machine"))) {
      expect(vm).toMatchObject({ guest_id: "rhel8_64Guest", firmware: "efi", scsi_type: "pvscsi", sync_time_with_host: false, sync_time_with_host_periodically: false });
      expect(vm.efi_secure_boot_enabled).toBeUndefined();
    }
  });

  it.each([
    ["6.7", "rhel8_64Guest", false],
    ["7.0", "rhel9_64Guest", true],
    ["8.0", "rhel9_64Guest", true],
    [undefined, "rhel9_64Guest", true],
  ])("%s: a manifest without a guest id (older builds) clones as %s, host time sync at power-on only: %s", (version, guestId, sync) => {
    const vm = Object.values<any>(resourcesByPath(synthSandbox(sandboxOn(version, {})), "vsphere_virtual_machine"))[0];
    expect(vm).toMatchObject({ guest_id: guestId, sync_time_with_host: sync, sync_time_with_host_periodically: false });
  });

  it.each([
    ["6.7", { hardware_version: "19" },
      'sandbox.vsphere.version: "6.7" runs VM hardware version 15 at most, but the node template "rocky9-k8s-1.35.9-20261101T0900" has 19 (MANIFEST); build the template with vsphere_version = "6.7" (packer/), or set vsphere.version to the oldest ESXi version in the cluster'],
    ["6.7", { guest_os_type: "rhel9_64Guest" },
      'sandbox.vsphere.version: "6.7" allows the guest ids rhel8_64Guest, other4xLinux64Guest, but the node template "rocky9-k8s-1.35.9-20261101T0900" has "rhel9_64Guest" (MANIFEST); build the template with vsphere_version = "6.7" (packer/), or set vsphere.version to the oldest ESXi version in the cluster'],
    ["7.0", { hardware_version: "20" },
      'sandbox.vsphere.version: "7.0" runs VM hardware version 19 at most, but the node template "rocky9-k8s-1.35.9-20261101T0900" has 20 (MANIFEST); build the template with vsphere_version = "7.0" (packer/), or set vsphere.version to the oldest ESXi version in the cluster'],
  ])("%s: refuses a template built for a newer vSphere (%j)", (version, extra, expected) => {
    const env = sandboxOn(version, extra);
    let error: unknown;
    try {
      synthSandbox(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expected.replace("MANIFEST", env.template.manifest)]);
  });

  it("accepts the newest hardware each version allows", () => {
    for (const [version, hw] of [["6.7", "15"], ["7.0", "19"], ["8.0", "20"]]) {
      expect(() => synthSandbox(sandboxOn(version, { hardware_version: hw }))).not.toThrow();
    }
  });
});

describe("nested resource pools", () => {
  it("looks each pool up under the previous one, starting at the cluster's root pool", () => {
    const env = sandboxCopy();
    env.vsphere.resourcePool = "k8s/sandbox";
    const stack = synthEnvironments([env]).stacks.sandbox;
    const pools = Object.entries<any>(stack.data.vsphere_resource_pool);
    const id = (name: string) => pools.find(([, p]) => p.name === name)![0];
    const cluster = Object.keys(stack.data.vsphere_compute_cluster)[0];
    expect(Object.fromEntries(pools.map(([, p]) => [p.name, p.parent_resource_pool_id]))).toEqual({
      k8s: `\${data.vsphere_compute_cluster.${cluster}.resource_pool_id}`,
      sandbox: `\${data.vsphere_resource_pool.${id("k8s")}.id}`,
    });
    const vm = Object.values<any>(resourcesByPath(stack, "vsphere_virtual_machine"))[0];
    expect(vm.resource_pool_id).toBe(`\${data.vsphere_resource_pool.${id("sandbox")}.id}`);
  });
});
