/**
 * A stack to roll, with REAL Terraform: each VM (and each pool's DRS rule) is a built-in
 * `terraform_data` stand-in whose `triggers_replace` is the VM's replace_trigger, so bumping a
 * revision makes Terraform itself plan the replacement; `show -json` is retyped to the provider types
 * (as the review gate tests do) before the roll's gate sees it. The synth writes what cdktf would
 * (cdk.tf.json with the `nodes_<pool>` outputs and the VMs' names, revisions and disks) from the
 * revision file the roll bumps.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readNodeRevisionFile } from "../../lib";
import { TerraformCli } from "../../lib/day2/terraform-cli";
import type { PlanJson } from "../../lib/review/plan-json";
import { retype, type StandIn } from "../review/stand-in-plan";

export const TF_ENV = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" };

export interface PoolSpec {
  readonly name: string;
  readonly count: number;
  /** With a Ceph data disk (unit 1). */
  readonly storage?: boolean;
}

export class StandInStack {
  readonly root = mkdtempSync(join(tmpdir(), "roll-stack-"));
  readonly synthDir = join(this.root, "cdktf.out");
  readonly tfDir = join(this.root, "terraform");
  readonly revisionFile = join(this.root, "stacks", "revisions", "prod.json");
  readonly stateFile = join(this.root, ".roll", "prod.json");
  /** A change that is not the roll's: these nodes get another replace_trigger too (e.g. a pending template change). */
  readonly alsoReplace = new Set<string>();
  standIns: Record<string, StandIn> = {};
  synthCount = 0;

  constructor(readonly pools: readonly PoolSpec[]) {
    mkdirSync(this.tfDir, { recursive: true });
  }

  nodeNames(pool: string): string[] {
    const spec = this.pools.find((p) => p.name === pool)!;
    return Array.from({ length: spec.count }, (_, i) => `prod-${pool}-${i + 1}`);
  }

  /** What `npm run synth` does for the roll: cdk.tf.json for the roll and the gate, main.tf.json for Terraform. */
  async synth(): Promise<void> {
    this.synthCount++;
    const revisions = readNodeRevisionFile(this.revisionFile) as Record<string, number>;
    const cdk: any = { output: {}, resource: { vsphere_virtual_machine: {}, vsphere_compute_cluster_vm_anti_affinity_rule: {} } };
    const tf: any = { resource: { terraform_data: {} } };
    this.standIns = {};
    for (const pool of this.pools) {
      const vmIds: string[] = [];
      cdk.output[`nodes_${pool.name}`] = { value: Object.fromEntries(this.nodeNames(pool.name).map((n, i) => [n, `10.20.30.${(pool.storage ? 30 : 40) + i + 1}`])) };
      this.nodeNames(pool.name).forEach((name, i) => {
        const id = `cluster_workers-${pool.name}_node-${i + 1}_4F3A2B1C`;
        const disk = [{ label: "disk0", unit_number: 0, size: 100 }, ...(pool.storage ? [{ label: "disk1", unit_number: 1, size: 1024 }] : [])];
        const trigger = `revision-${revisions[name] ?? 0}${this.alsoReplace.has(name) ? "-pending" : ""}`;
        const input = { name, replace_trigger: trigger, disk };
        const path = `cluster/workers-${pool.name}/node-${i + 1}`;
        cdk.resource.vsphere_virtual_machine[id] = { "//": { metadata: { path: `prod/${path}` } }, ...input };
        tf.resource.terraform_data[id] = { input, triggers_replace: [trigger] };
        this.standIns[id] = { as: "vsphere_virtual_machine", path, input, replacePathAs: "replace_trigger" };
        vmIds.push(`terraform_data.${id}.id`);
      });
      const rule = `cluster_workers-${pool.name}_anti-affinity_9D8E7F6A`;
      const ruleInput = { name: `prod-${pool.name}-anti-affinity`, mandatory: false };
      cdk.resource.vsphere_compute_cluster_vm_anti_affinity_rule[rule] = { "//": { metadata: { path: `prod/cluster/workers-${pool.name}/anti-affinity` } }, ...ruleInput };
      tf.resource.terraform_data[rule] = { input: ruleInput, lifecycle: { replace_triggered_by: vmIds } };
      this.standIns[rule] = { as: "vsphere_compute_cluster_vm_anti_affinity_rule", path: `cluster/workers-${pool.name}/anti-affinity`, input: ruleInput };
    }
    mkdirSync(join(this.synthDir, "stacks", "prod"), { recursive: true });
    writeFileSync(join(this.synthDir, "stacks", "prod", "cdk.tf.json"), JSON.stringify(cdk));
    writeFileSync(join(this.tfDir, "main.tf.json"), JSON.stringify(tf));
  }

  /** The environment as deployed before the roll: synth and apply of the current revisions. */
  async deploy(): Promise<void> {
    await this.synth();
    const tf = (...args: string[]) => execFileSync("terraform", args, { cwd: this.tfDir, env: TF_ENV, stdio: "pipe" });
    tf("init", "-input=false", "-no-color");
    tf("apply", "-auto-approve", "-input=false", "-no-color");
  }
}

/** The real TerraformCli in the stand-in directory; `show -json` retyped; apply can be made to fail once. */
export class StandInTerraform extends TerraformCli {
  lastPlan?: PlanJson;
  applies = 0;
  plans = 0;
  /** "before": the apply fails without touching anything; "after": Terraform applied, then the run fails (e.g. a lost connection). */
  failNextApply?: "before" | "after";

  constructor(
    private readonly stack: StandInStack,
    private readonly onReplaced: (vmName: string) => void,
  ) {
    super(stack.tfDir, TF_ENV, "ignore");
  }

  override async plan(planFile: string): Promise<void> {
    this.plans++;
    return super.plan(planFile);
  }

  override async showPlan(planFile: string): Promise<unknown> {
    const raw = (await super.showPlan(planFile)) as PlanJson;
    this.lastPlan = { ...raw, resource_changes: (raw.resource_changes ?? []).map((rc) => retype(rc, this.stack.standIns[rc.name])) };
    return this.lastPlan;
  }

  override async apply(planFile: string): Promise<void> {
    this.applies++;
    const fail = this.failNextApply;
    this.failNextApply = undefined;
    if (fail === "before") throw new Error("vCenter: the clone task failed (stand-in failure before the apply)");
    await super.apply(planFile);
    for (const rc of this.lastPlan?.resource_changes ?? []) {
      if (rc.type === "vsphere_virtual_machine" && rc.change.actions.includes("create")) this.onReplaced((rc.change.after as any).name);
    }
    if (fail === "after") throw new Error("connection to vCenter lost after the apply (stand-in failure)");
  }
}
