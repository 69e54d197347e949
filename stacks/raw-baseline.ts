import { App, TerraformStack } from "cdktf";
import { VsphereProvider } from "@cdktf/provider-vsphere/lib/provider";
import { DataVsphereComputeCluster } from "@cdktf/provider-vsphere/lib/data-vsphere-compute-cluster";
import { DataVsphereDatacenter } from "@cdktf/provider-vsphere/lib/data-vsphere-datacenter";
import { DataVsphereDatastore } from "@cdktf/provider-vsphere/lib/data-vsphere-datastore";
import { DataVsphereNetwork } from "@cdktf/provider-vsphere/lib/data-vsphere-network";
import { DataVsphereVirtualMachine } from "@cdktf/provider-vsphere/lib/data-vsphere-virtual-machine";
import { VirtualMachine } from "@cdktf/provider-vsphere/lib/virtual-machine";
import type { EnvironmentConfig } from "../lib";

/** The slice of an environment the baseline reads (plain data: stacks/<env>.ts as written; types only). */
type RawEnvironment = Pick<EnvironmentConfig, "name" | "vsphere" | "controlPlane" | "workers"> & {
  /** The shipped stacks name their template (no Packer manifest). */
  readonly template: { readonly name: string };
};

/**
 * `npm run bench`'s yardstick: the same VMs (count, CPUs, memory, OS and data disks, one NIC, cloned from
 * the template) as the environments, written with the plain @cdktf/provider-vsphere bindings, as a team
 * without this library would: no cloud-init, PKI, Helm or validation. What synth costs on top of this is
 * what the library costs. Not shipped (stacks/ is the app, not the library).
 */
export function rawBaselineApp(environments: readonly unknown[], outdir: string): App {
  const app = new App({ outdir, stackTraces: false });
  for (const env of environments as RawEnvironment[]) {
    const stack = new TerraformStack(app, env.name);
    new VsphereProvider(stack, "vsphere", { vsphereServer: "vcenter.example.internal", user: "terraform", password: "from TF_VAR" });
    const datacenterId = new DataVsphereDatacenter(stack, "datacenter", { name: env.vsphere.datacenter }).id;
    const cluster = new DataVsphereComputeCluster(stack, "compute-cluster", { name: env.vsphere.computeCluster, datacenterId });
    const datastoreId = new DataVsphereDatastore(stack, "datastore", { name: env.vsphere.datastore, datacenterId }).id;
    const networkId = new DataVsphereNetwork(stack, "network", { name: env.vsphere.network, datacenterId }).id;
    const template = new DataVsphereVirtualMachine(stack, "template", { name: env.template.name, datacenterId });
    for (const pool of [env.controlPlane, ...env.workers]) {
      for (let i = 1; i <= pool.count; i++) {
        new VirtualMachine(stack, `${pool.name}-${i}`, {
          name: `${env.name}-${pool.name}-${i}`,
          folder: env.vsphere.folder,
          resourcePoolId: cluster.resourcePoolId,
          datastoreId,
          numCpus: pool.cpus,
          memory: pool.memoryMiB,
          guestId: template.guestId,
          scsiType: template.scsiType,
          enableDiskUuid: true,
          networkInterface: [{ networkId, adapterType: "vmxnet3" }],
          disk: [
            { label: "disk0", unitNumber: 0, size: pool.osDiskGiB, thinProvisioned: template.disks.get(0).thinProvisioned },
            ...(pool.dataDiskGiB === undefined ? [] : [{ label: "disk1", unitNumber: 1, size: pool.dataDiskGiB, thinProvisioned: false }]),
          ],
          clone: { templateUuid: template.id },
        });
      }
    }
  }
  return app;
}
