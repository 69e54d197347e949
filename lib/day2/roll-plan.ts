import type { PlanJson } from "../review/plan-json";
import type { SynthResource } from "../review/synth-resources";
import { buildStackReport } from "../review/plan-report";
import { refusalMessage } from "../review/blast-radius";
import { VM_TYPES } from "../review/blast-radius-rules";
import type { PlannedChange } from "../review/planned-change";

/** What may change beside the rolled VM: its pool's DRS rule (replaced with its member) and readiness gates. */
const ALONGSIDE_A_ROLL = new Set(["vsphere_compute_cluster_vm_anti_affinity_rule", "terraform_data"]);

export interface RollPlanInput {
  readonly stack: string;
  readonly plan: PlanJson;
  readonly synth: ReadonlyMap<string, SynthResource>;
  /** The node being rolled (its VM's vSphere name). */
  readonly node: string;
  /**
   * A previous apply of this node's plan failed part way: the VM may already be replaced (no VM
   * change left) or destroyed (a create left). Both are accepted then; a fresh roll needs a replace.
   */
  readonly resumingApply: boolean;
}

const vmName = (c: PlannedChange) => {
  for (const state of [c.before, c.after]) {
    const name = state && typeof state === "object" ? (state as Record<string, unknown>).name : undefined;
    if (typeof name === "string") return name;
  }
  return c.path;
};

/**
 * The roll's gate on one node's plan: the review gate passes it (no blast-radius rule broken), it
 * replaces exactly the one VM being rolled, and changes nothing else but that pool's DRS rule,
 * readiness gates and the operations the library schedules (join token rotation). Anything more is
 * work for a merge request, not for a roll. Returns the problems (empty: apply it).
 */
export function rollPlanProblems(input: RollPlanInput): string[] {
  const report = buildStackReport({ stack: input.stack, plan: input.plan, synth: input.synth });
  const problems: string[] = [];
  if (report.violations.length > 0) problems.push(refusalMessage(report.violations));
  const routine = new Set(report.routine.map((r) => r.change));
  const vms = report.changes.filter((c) => VM_TYPES.has(c.type));
  const expected = input.resumingApply ? ["replace", "create"] : ["replace"];
  const ours = vms.filter((c) => vmName(c) === input.node && expected.includes(c.action));
  const vmOk = vms.length === ours.length && (ours.length === 1 || (input.resumingApply && ours.length === 0));
  if (!vmOk) {
    const list = vms.map((c) => `${vmName(c)}: ${c.action}`).join(", ") || "none";
    problems.push(`the plan must replace exactly one VM, ${input.node}; it changes ${vms.length} VM(s) (${list})`);
  }
  const others = report.changes.filter((c) => !VM_TYPES.has(c.type) && !ALONGSIDE_A_ROLL.has(c.type) && !routine.has(c));
  if (others.length > 0) {
    problems.push(`the plan also changes ${others.map((c) => `${c.path} (${c.action})`).join(", ")}: apply that through a merge request first, then resume the roll`);
  }
  return problems;
}
