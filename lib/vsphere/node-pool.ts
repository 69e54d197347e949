import { gzipSync } from "node:zlib";
import { Construct } from "constructs";
import { Fn, TerraformOutput } from "cdktf";
import { VirtualMachine, type VirtualMachineDisk } from "@cdktf/provider-vsphere/lib/virtual-machine";
import { ComputeClusterVmAntiAffinityRule } from "@cdktf/provider-vsphere/lib/compute-cluster-vm-anti-affinity-rule";
import type { NodeNetworkConfig, ValidatedPool } from "../config/types";
import { type NodeRole, type PoolNode, poolNodes } from "../config/pool-nodes";
import { Problems } from "../config/problems";
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

/** Terraform attributes a running node must never be updated for (see README, "Replacing nodes"). */
export const IGNORED_NODE_CHANGES = [
  // A newly published template must not replace every node in one apply: existing nodes keep the
  // template they were cloned from; new and rebuilt nodes get the current one.
  "clone[0].template_uuid",
  // Changing extra_config reboots the VM without re-running cloud-init, and cloud-init itself clears
  // the user-data (which holds join secrets) after first boot: Terraform must not put it back.
  "extra_config",
] as const;

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
        guestId: template.guestId ?? guestIdFor(template.spec.os),
        firmware: template.firmware,
        scsiType: template.scsiType,
        enableDiskUuid: true,
        networkInterface: [{ networkId: placement.networkId, adapterType: template.adapterType }],
        disk: nodeDisks(pool, template),
        clone: { templateUuid: template.uuid },
        extraConfig: {
          "guestinfo.metadata": gzipBase64(JSON.stringify(nodeMetadata(node, network, revision, userData !== undefined))),
          "guestinfo.metadata.encoding": "gzip+base64",
          ...(userData === undefined
            ? {}
            : { "guestinfo.userdata": Fn.base64gzip(userData), "guestinfo.userdata.encoding": "gzip+base64" }),
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
      });
    }

    new TerraformOutput(this, "nodes", {
      description: `${environment} ${pool.name} nodes: name -> IP`,
      value: Object.fromEntries(this.nodes.map((n) => [n.name, n.ip])),
    }).overrideLogicalId(`nodes_${pool.name}`);
  }
}

/** OS disk (at least the template's size, provisioning as the template) and the optional raw data disk. */
function nodeDisks(pool: ValidatedPool, template: NodeTemplate): VirtualMachineDisk[] {
  const provisioning = { thinProvisioned: template.thinProvisioned, eagerlyScrub: template.eagerlyScrub };
  const disks: VirtualMachineDisk[] = [{ label: "disk0", unitNumber: OS_DISK_UNIT, size: pool.osDiskGiB, ...provisioning }];
  if (pool.dataDiskGiB !== undefined) {
    disks.push({ label: "disk1", unitNumber: DATA_DISK_UNIT, size: pool.dataDiskGiB, ...provisioning });
  }
  return disks;
}

/** Content-library items carry no readable guest id; EL9 clones are rhel9_64Guest to vSphere. */
function guestIdFor(os: string): string {
  return /^(rocky|rhel|almalinux|oracle)-9/.test(os) ? "rhel9_64Guest" : "otherLinux64Guest";
}

/** Real gzip (not just base64): cloud-init gunzips whatever `gzip+base64` announces. */
function gzipBase64(text: string): string {
  return gzipSync(Buffer.from(text, "utf8"), { level: 9 }).toString("base64");
}
