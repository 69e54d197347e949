import type { PlannedChange } from "./planned-change";
import type { PlanJson } from "./plan-json";
import {
  BLAST_RADIUS_RULES,
  HELM_RELEASE_TYPES,
  ROUTINE_OPERATIONS,
  SECURITY_REVIEWS,
  STATEFUL_CHARTS,
  type BlastRadiusRule,
  type PlanFacts,
  type RoutineOperation,
  type SecurityReview,
} from "./blast-radius-rules";
import { chartNames, destroys, namespaceOf } from "./resource-facts";

/** One change that hits a rule, and how ("replace", "update: removes disk disk1"). */
export interface RuleHit {
  readonly change: PlannedChange;
  readonly how: string;
}

/** One rule broken in one stack, with the changes that broke it. */
export interface BlastRadiusViolation {
  readonly stack: string;
  readonly rule: BlastRadiusRule;
  readonly hits: readonly RuleHit[];
  readonly changes: readonly PlannedChange[];
}

/** A change the gate let through because the library schedules it. */
export interface RoutineNote {
  readonly change: PlannedChange;
  readonly operation: RoutineOperation;
}

/** A change that passed but needs a second reviewer. */
export interface SecurityNote {
  readonly change: PlannedChange;
  readonly review: SecurityReview;
}

export interface GateResult {
  readonly violations: BlastRadiusViolation[];
  readonly routine: RoutineNote[];
  readonly security: SecurityNote[];
}

/** Replacements and deletions: the changes listed first in the MR note. */
export function isDestructive(change: PlannedChange): boolean {
  return destroys(change);
}

/** Facts the rules need from the whole plan, every entry included (no-op ones too). */
export function planFacts(plan: PlanJson): PlanFacts {
  const statefulNamespaces = new Set<string>();
  for (const rc of plan.resource_changes ?? []) {
    if (!HELM_RELEASE_TYPES.has(rc.type)) continue;
    for (const state of [rc.change.before, rc.change.after]) {
      if (state && chartNames(state).some((n) => STATEFUL_CHARTS.has(n))) statefulNamespaces.add(namespaceOf(state));
    }
  }
  return { statefulNamespaces };
}

/** Applies every rule to one stack's changes, after setting the routine operations aside. */
export function judge(
  stack: string,
  changes: readonly PlannedChange[],
  facts: PlanFacts = { statefulNamespaces: new Set() },
  rules: readonly BlastRadiusRule[] = BLAST_RADIUS_RULES,
): GateResult {
  const routine: RoutineNote[] = [];
  const judged: PlannedChange[] = [];
  for (const change of changes) {
    const operation = ROUTINE_OPERATIONS.find((op) => op.matches(change));
    if (operation) routine.push({ change, operation });
    else judged.push(change);
  }
  const violations: BlastRadiusViolation[] = [];
  for (const rule of rules) {
    const hits = judged.flatMap((change) => {
      const how = rule.hits(change, facts);
      return how === undefined ? [] : [{ change, how }];
    });
    if (hits.length > rule.tolerated) violations.push({ stack, rule, hits, changes: hits.map((h) => h.change) });
  }
  const security = changes.flatMap((change) => SECURITY_REVIEWS.filter((review) => review.matches(change)).map((review) => ({ change, review })));
  return { violations, routine, security };
}

/** The violations alone, for callers that do not show routine notes. */
export function blastRadiusViolations(stack: string, changes: readonly PlannedChange[], rules?: readonly BlastRadiusRule[]): BlastRadiusViolation[] {
  return judge(stack, changes, undefined, rules).violations;
}

export const OVERRIDE_FLAG = "--allow-destructive";
export const OVERRIDE_ENV = "PLAN_REPORT_ALLOW_DESTRUCTIVE";

/** Values of OVERRIDE_ENV that mean yes; anything else (including "0" and "false") means no. */
export function overrideFromEnv(env: NodeJS.ProcessEnv): boolean {
  return ["1", "true", "yes"].includes((env[OVERRIDE_ENV] ?? "").trim().toLowerCase());
}

/** The refusal text: what would be destroyed, why that is dangerous, and how to accept it. */
export function refusalMessage(violations: readonly BlastRadiusViolation[]): string {
  const lines = ["Refusing this plan: its blast radius is too large."];
  for (const v of violations) {
    const limit = v.rule.tolerated === 0 ? "none allowed" : `at most ${v.rule.tolerated} per plan`;
    lines.push(`- ${v.stack}: ${v.hits.length} × ${v.rule.id} (${limit}): ${v.rule.why}`);
    for (const { change: c, how } of v.hits) lines.push(`    ${how} ${c.path} (${c.address})`);
  }
  lines.push(
    `To accept it deliberately, re-run with ${OVERRIDE_FLAG} or set ${OVERRIDE_ENV}=1`,
    `(in GitLab: "Run pipeline" with the CI/CD variable ${OVERRIDE_ENV}=1), or split the change into smaller merge requests.`,
  );
  return lines.join("\n");
}
