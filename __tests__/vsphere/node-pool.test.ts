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

  it("outputs node names and IPs per pool", () => {
    expect(prod.output["nodes_storage"].value).toEqual({
      "prod-storage-1": "10.20.30.31", "prod-storage-2": "10.20.30.32", "prod-storage-3": "10.20.30.33",
    });
  });
});

describe("rolling safety", () => {
  const vmsOf = (env: any) => resourcesByPath(synthEnvironments([env]).stacks.prod, "vsphere_virtual_machine");

  it("ignores template and guestinfo changes on existing nodes", () => {
    for (const vm of Object.values<any>(vmsOf(prodCopy()))) {
      expect(vm.lifecycle.ignore_changes).toEqual(["clone[0].template_uuid", "extra_config"]);
    }
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
