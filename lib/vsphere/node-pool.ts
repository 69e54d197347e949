import { gzipSync } from "node:zlib";
import { Construct } from "constructs";
import { TerraformOutput } from "cdktf";
import { VirtualMachine, type VirtualMachineDisk } from "@cdktf/provider-vsphere/lib/virtual-machine";
import { ComputeClusterVmAntiAffinityRule } from "@cdktf/provider-vsphere/lib/compute-cluster-vm-anti-affinity-rule";
import type { NodeNetworkConfig, ValidatedPool } from "../config/types";
import { type NodeRole, type PoolNode, poolNodes } from "../config/pool-nodes";
import { Problems } from "../config/problems";
import { VSPHERE_VERSION_LIMITS } from "../config/vsphere-versions";
import { base64gzip } from "../cluster/terraform-string";
import { DATA_DISK_UNIT, OS_DISK_UNIT } from "./disk-layout";
import { nodeMetadata } from "./node-metadata";
import type { NodeTemplate } from "./node-template";
import type { VspherePlacement } from "./placement";
import { checkPoolDisk } from "./template-fit";

export interface NodePoolProps {
  /** Environment name: prefixes VM names and the DRS rule (rule names are per vSphere cluster). */
  readonly environment: string;
  /** A pool of a ValidatedEnvironment (`config.controlPlane` or one of `config.workers`). */
  readonly pool: ValidatedPool;
  readonly role: NodeRole;
  readonly placement: VspherePlacement;
  readonly template: NodeTemplate;
  readonly network: NodeNetworkConfig;
  /**
   * Per-node cloud-init user-data (a cloud-config document). It is a Terraform string: it may hold
   * references to secrets (tokens), and literal `${` / `%{` must be escaped by the caller. The pool
   * gzips and base64-encodes it in Terraform (`base64gzip`) into `guestinfo.userdata`.
   * @default no user-data
   */
  readonly userData?: (node: PoolNode) => string;
}

/**
 * Terraform attributes a running node must never be updated for (see README, "Replacing nodes").
 * A new VM (scale-up, or a node rebuilt by bumping its revision) is created with the current values
 * of all of them: ignore_changes only suppresses updates of existing VMs.
 */
export const IGNORED_NODE_CHANGES = [
  // A newly published template must not replace every node in one apply: existing nodes keep the
  // template they were cloned from; new and rebuilt nodes get the current one.
  "clone[0].template_uuid",
  // Changing extra_config reboots the VM without re-running cloud-init, and cloud-init itself clears
  // the user-data (which holds join secrets) after first boot: Terraform must not put it back.
  "extra_config",
  // Copied from the template data source, so a new template would update every node in place:
  // guest_id, firmware and secure boot reboot all nodes at once (provider getWithRestart), the SCSI
  // and NIC types swap devices under a running kernel, and the provider refuses to change a disk's
  // thin/eager provisioning at apply ("cannot change the value"). The data disk's provisioning is
  // fixed, but nodes created before it was followed the template.
  "guest_id",
  "firmware",
  "efi_secure_boot_enabled",
  "scsi_type",
  "network_interface[0].adapter_type",
  "disk[0].thin_provisioned",
  "disk[0].eagerly_scrub",
  "disk[1].thin_provisioned",
  "disk[1].eagerly_scrub",
  // A pool's size change would reboot every node of the pool in one apply (no CPU/memory hot-add):
  // it reaches nodes one at a time, through the same rebuild as a new template.
  "num_cpus",
  "memory",
] as const;

/**
 * The raw Ceph disk does not follow the template: thick, lazily zeroed. Thick so that Ceph filling
 * its OSD can never fill the datastore under every other VM; lazily zeroed so a 1 TiB disk is created
 * in seconds (eager zeroing writes the whole disk before the VM boots). vSAN applies its storage
 * policy instead.
 */
export const DATA_DISK_PROVISIONING = { thinProvisioned: false, eagerlyScrub: false } as const;

/**
 * N identical VMs cloned from the node template, with static IPs, cloud-init through guestinfo,
 * an optional raw data disk for Ceph, and a DRS anti-affinity rule that spreads them over hosts.
 */
export class NodePool extends Construct {
  readonly nodes: PoolNode[];
  readonly vms: VirtualMachine[];

  constructor(scope: Construct, id: string, props: NodePoolProps) {
    super(scope, id);
    const { environment, pool, role, placement, template, network } = props;
    const problems = new Problems();
    checkPoolDisk(problems, template.spec, pool, `${environment}.${role === "control-plane" ? "controlPlane" : `workers.${pool.name}`}`);
    problems.throwIfAny(`Node pool "${environment}-${pool.name}" does not fit its template`);

    this.nodes = poolNodes(environment, pool, role);
    this.vms = this.nodes.map((node) => {
      const revision = pool.nodeRevisions?.[node.name] ?? 0;
      const userData = props.userData?.(node);
      return new VirtualMachine(this, `node-${node.index + 1}`, {
        name: node.name,
        folder: placement.folder,
        resourcePoolId: placement.resourcePoolId,
        datastoreId: placement.datastoreId,
        numCpus: pool.cpus,
        memory: pool.memoryMiB,
        guestId: template.guestId,
        firmware: template.firmware,
        efiSecureBootEnabled: template.efiSecureBootEnabled,
        scsiType: template.scsiType,
        enableDiskUuid: true,
        // chrony owns the clock. Before 7.0 U1 this flag means periodic sync with the host (it fights
        // chrony); from 7.0 U1 it only syncs at power-on/resume and periodic sync is its own flag.
        syncTimeWithHost: !VSPHERE_VERSION_LIMITS[placement.version].hostTimeSyncIsPeriodic,
        syncTimeWithHostPeriodically: false,
        networkInterface: [{ networkId: placement.networkId, adapterType: template.adapterType }],
        disk: nodeDisks(pool, template),
        clone: { templateUuid: template.uuid },
        extraConfig: {
          "guestinfo.metadata": gzipBase64(JSON.stringify(nodeMetadata(node, network, revision, userData !== undefined))),
          "guestinfo.metadata.encoding": "gzip+base64",
          ...(userData === undefined
            ? {}
            : { "guestinfo.userdata": base64gzip(userData), "guestinfo.userdata.encoding": "gzip+base64" }),
        },
        // The provider replaces the VM whenever this value changes: bumping a node's revision in
        // config rebuilds that node, and only that node, from the current template.
        replaceTrigger: `revision-${revision}`,
        lifecycle: { ignoreChanges: [...IGNORED_NODE_CHANGES] },
      });
    });

    // vSphere rejects a rule with fewer than two VMs. Not mandatory: with more nodes than hosts
    // (or a host in maintenance) a mandatory rule would block power-on.
    if (this.vms.length >= 2) {
      new ComputeClusterVmAntiAffinityRule(this, "anti-affinity", {
        name: `${environment}-${pool.name}-anti-affinity`,
        computeClusterId: placement.computeClusterId,
        virtualMachineIds: this.vms.map((vm) => vm.id),
        mandatory: false,
        // A rebuilt member would otherwise be swapped in place, after vSphere already dropped the
        // destroyed VM from the rule: the update can fail (provider issue #1362). Replacing the rule
        // with its member (destroyed before, created after) avoids that. Only an id change triggers
        // it, not an in-place update of a VM (the rule holds nothing else of the VM).
        lifecycle: { replaceTriggeredBy: this.vms.map((vm) => `${vm.terraformResourceType}.${vm.friendlyUniqueId}.id`) },
      });
    }

    new TerraformOutput(this, "nodes", {
      description: `${environment} ${pool.name} nodes: name -> IP`,
      value: Object.fromEntries(this.nodes.map((n) => [n.name, n.ip])),
    }).overrideLogicalId(`nodes_${pool.name}`);
  }
}

/** OS disk (at least the template's size, provisioned as the template's) and the optional raw data disk. */
function nodeDisks(pool: ValidatedPool, template: NodeTemplate): VirtualMachineDisk[] {
  const os = { thinProvisioned: template.thinProvisioned, eagerlyScrub: template.eagerlyScrub };
  const disks: VirtualMachineDisk[] = [{ label: "disk0", unitNumber: OS_DISK_UNIT, size: pool.osDiskGiB, ...os }];
  if (pool.dataDiskGiB !== undefined) {
    disks.push({ label: "disk1", unitNumber: DATA_DISK_UNIT, size: pool.dataDiskGiB, ...DATA_DISK_PROVISIONING });
  }
  return disks;
}

/** Real gzip (not just base64): cloud-init gunzips whatever `gzip+base64` announces. */
function gzipBase64(text: string): string {
  return gzipSync(Buffer.from(text, "utf8"), { level: 9 }).toString("base64");
}
