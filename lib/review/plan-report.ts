import type { PlanJson } from "./plan-json";
import type { SynthResource } from "./synth-resources";
import { toPlannedChange, type PlannedChange } from "./planned-change";
import { gitLabReport, type GitLabTerraformReport } from "./gitlab-report";
import { judge, planFacts, type BlastRadiusViolation, type RoutineNote, type SecurityNote } from "./blast-radius";
import type { BlastRadiusRule } from "./blast-radius-rules";
import { helmValuesDiff, type ValueChange } from "./helm-values-diff";
import { stackLabelWarning } from "./stack-label";

/** One stack's inputs: its plan JSON and its synthesized resources (by address). */
export interface StackPlanInput {
  readonly stack: string;
  readonly plan: PlanJson;
  readonly synth: ReadonlyMap<string, SynthResource>;
  /** Optional older synth, to name resources the new synth no longer has (deletions). */
  readonly baseSynth?: ReadonlyMap<string, SynthResource>;
}

export interface StackPlanReport {
  readonly stack: string;
  readonly report: GitLabTerraformReport;
  /** Changes that do something (no-op and data-source reads left out). */
  readonly changes: readonly PlannedChange[];
  readonly violations: readonly BlastRadiusViolation[];
  /** Changes the library schedules itself, passed with a note. */
  readonly routine: readonly RoutineNote[];
  /** Changes that passed but need a second reviewer (RBAC grants). */
  readonly security: readonly SecurityNote[];
  /** The key-level values change of every helm_release update that has one. */
  readonly valuesDiffs: ReadonlyArray<{ readonly change: PlannedChange; readonly values: readonly ValueChange[] }>;
  /** Doubts about the input that do not stop the gate (e.g. the plan seems to be of another stack). */
  readonly warnings: readonly string[];
}

/** Pure: plan JSON + synth in, everything the CLI prints or writes out. */
export function buildStackReport(input: StackPlanInput, rules?: readonly BlastRadiusRule[]): StackPlanReport {
  const changes = (input.plan.resource_changes ?? [])
    .map((rc) => toPlannedChange(rc, input.synth, input.baseSynth))
    .filter((c) => c.action !== "no-op" && c.action !== "read");
  const { violations, routine, security } = judge(input.stack, changes, planFacts(input.plan), rules);
  const warning = stackLabelWarning(input.stack, input.plan, input.synth, input.baseSynth);
  return {
    stack: input.stack,
    report: gitLabReport(input.plan),
    changes,
    violations,
    routine,
    security,
    valuesDiffs: changes.map((change) => ({ change, values: helmValuesDiff(change) })).filter((d) => d.values.length > 0),
    warnings: warning ? [warning] : [],
  };
}
