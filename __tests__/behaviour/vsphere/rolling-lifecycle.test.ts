import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeWithTool } from "../../tools";
import { prodCopy } from "../../helpers/environments";
import { resourcesByPath, synthEnvironments } from "../../helpers/synth";

const TERRAFORM = "/usr/local/bin/terraform";

/**
 * The vsphere provider cannot be installed here, so real Terraform 1.11 plans a stand-in: one
 * `terraform_data` per VM of the prod storage pool whose `input` carries the VM attributes a new
 * template or a new pool size would change, with the lifecycle blocks taken from the synthesized
 * prod stack (ignore_changes paths prefixed with `input.`; the rule's replace_triggered_by pointed at
 * the stand-ins). `triggers_replace` plays the provider's ForceNew `replace_trigger`.
 */
describeWithTool(TERRAFORM, ["version"])("rolling safety, planned by real Terraform", () => {
  const prod = synthEnvironments([prodCopy()]).stacks.prod;
  const vms = resourcesByPath(prod, "vsphere_virtual_machine");
  const rule = resourcesByPath(prod, "vsphere_compute_cluster_vm_anti_affinity_rule")["cluster/workers-storage/anti-affinity"];
  const members = [1, 2, 3].map((n) => vms[`cluster/workers-storage/node-${n}`]);
  const idOf = (vm: any) => vm["//"].metadata.uniqueId as string;
  let dir = "";

  const vmStandIn = (vm: any, n: number) => ({
    triggers_replace: `\${var.revisions[${n}]}`,
    input: {
      name: vm.name,
      sync_time_with_host: "${var.sync_time_with_host}",
      clone: [{ template_uuid: "${var.t.uuid}" }],
      extra_config: { "guestinfo.userdata": "${var.t.uuid}" },
      guest_id: "${var.t.guest_id}",
      firmware: "${var.t.firmware}",
      efi_secure_boot_enabled: "${var.t.secure_boot}",
      scsi_type: "${var.t.scsi_type}",
      network_interface: [{ adapter_type: "${var.t.adapter_type}" }],
      disk: [
        { thin_provisioned: "${var.t.thin}", eagerly_scrub: "${var.t.eager}" },
        { thin_provisioned: "${var.data_thin}", eagerly_scrub: false },
      ],
      num_cpus: "${var.size.cpus}",
      memory: "${var.size.memory}",
    },
    lifecycle: { ignore_changes: vm.lifecycle.ignore_changes.map((path: string) => `input.${path}`) },
  });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rolling-"));
    const standIns = Object.fromEntries(members.map((vm, i) => [idOf(vm), vmStandIn(vm, i)]));
    const ruleStandIn = {
      input: members.map((vm) => `\${terraform_data.${idOf(vm)}.id}`),
      lifecycle: {
        replace_triggered_by: rule.lifecycle.replace_triggered_by.map((ref: string) => ref.replace(/^vsphere_virtual_machine\./, "terraform_data.")),
      },
    };
    const variable = (type: string) => ({ type });
    writeFileSync(
      join(dir, "main.tf.json"),
      JSON.stringify({
        variable: {
          t: variable("object({uuid=string, guest_id=string, firmware=string, secure_boot=bool, scsi_type=string, adapter_type=string, thin=bool, eager=bool})"),
          size: variable("object({cpus=number, memory=number})"),
          revisions: variable("list(number)"),
          sync_time_with_host: variable("bool"),
          data_thin: variable("bool"),
        },
        resource: { terraform_data: { ...standIns, rule: ruleStandIn } },
      }),
    );
    tf("init", "-input=false");
    tf("apply", "-auto-approve", "-input=false", ...vars(OLD));
  });

  const env = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" };
  const tf = (...args: string[]) => execFileSync(TERRAFORM, [`-chdir=${dir}`, ...args, "-no-color"], { env, encoding: "utf8" });
  type Inputs = { t: object; size: object; revisions: number[]; sync_time_with_host: boolean; data_thin: boolean };
  const OLD: Inputs = {
    t: { uuid: "tmpl-1", guest_id: "rhel9_64Guest", firmware: "efi", secure_boot: false, scsi_type: "pvscsi", adapter_type: "vmxnet3", thin: true, eager: false },
    size: { cpus: 8, memory: 32768 },
    revisions: [0, 0, 0],
    sync_time_with_host: true,
    // Nodes created before the fixed data-disk provisioning followed the (thin) template.
    data_thin: true,
  };
  const NEW_TEMPLATE_AND_SIZE: Inputs = {
    ...OLD,
    t: { uuid: "tmpl-2", guest_id: "rhel8_64Guest", firmware: "bios", secure_boot: true, scsi_type: "lsilogic", adapter_type: "e1000e", thin: false, eager: true },
    size: { cpus: 12, memory: 49152 },
    data_thin: false,
  };
  const vars = (v: Inputs) => Object.entries(v).flatMap(([k, value]) => ["-var", `${k}=${typeof value === "object" ? JSON.stringify(value).replace(/"(\w+)":/g, "$1=") : value}`]);
  const plan = (v: Inputs): Record<string, { actions: string[]; after: any }> => {
    tf("plan", "-input=false", "-out=plan.bin", ...vars(v));
    const json = JSON.parse(tf("show", "-json", "plan.bin"));
    return Object.fromEntries(json.resource_changes.map((r: any) => [r.name, { actions: r.change.actions, after: r.change.after }]));
  };
  const actions = (p: ReturnType<typeof plan>) => Object.fromEntries(Object.entries(p).map(([name, c]) => [name, c.actions.join("+")]));

  it("a new template and a new pool size plan no change on existing nodes", () => {
    expect(Object.values(actions(plan(NEW_TEMPLATE_AND_SIZE)))).toEqual(["no-op", "no-op", "no-op", "no-op"]);
  });

  it("a rebuilt node takes the new template and size; its DRS rule is replaced with it, the other nodes untouched", () => {
    const p = plan({ ...NEW_TEMPLATE_AND_SIZE, revisions: [0, 1, 0] });
    const [n1, n2, n3] = members.map(idOf);
    expect(actions(p)).toEqual({ [n1]: "no-op", [n2]: "delete+create", [n3]: "no-op", rule: "delete+create" });
    expect(p[n2].after.input).toMatchObject({ guest_id: "rhel8_64Guest", firmware: "bios", num_cpus: 12, disk: [{ thin_provisioned: false }, { thin_provisioned: false }] });
  });

  it("an in-place update of the nodes (not ignored) leaves the DRS rule alone", () => {
    const p = plan({ ...OLD, sync_time_with_host: false });
    expect(actions(p)).toEqual({ ...Object.fromEntries(members.map((vm) => [idOf(vm), "update"])), rule: "no-op" });
  });
});
