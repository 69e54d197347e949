import type { PlanJson } from "./plan-json";
import type { SynthResource } from "./synth-resources";
import { toPlannedChange, type PlannedChange } from "./planned-change";
import { gitLabReport, type GitLabTerraformReport } from "./gitlab-report";
import { blastRadiusViolations, type BlastRadiusViolation } from "./blast-radius";
import type { BlastRadiusRule } from "./blast-radius-rules";

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
}

/** Pure: plan JSON + synth in, everything the CLI prints or writes out. */
export function buildStackReport(input: StackPlanInput, rules?: readonly BlastRadiusRule[]): StackPlanReport {
  const changes = (input.plan.resource_changes ?? [])
    .map((rc) => toPlannedChange(rc, input.synth, input.baseSynth))
    .filter((c) => c.action !== "no-op" && c.action !== "read");
  return {
    stack: input.stack,
    report: gitLabReport(input.plan),
    changes,
    violations: blastRadiusViolations(input.stack, changes, rules),
  };
}
