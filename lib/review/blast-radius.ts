import type { PlannedChange } from "./planned-change";
import { BLAST_RADIUS_RULES, type BlastRadiusRule } from "./blast-radius-rules";

/** One rule broken in one stack, with the changes that broke it. */
export interface BlastRadiusViolation {
  readonly stack: string;
  readonly rule: BlastRadiusRule;
  readonly changes: readonly PlannedChange[];
}

/** Only destroying actions count: creating or updating in place cannot lose what exists. */
export function isDestructive(change: PlannedChange): boolean {
  return change.action === "replace" || change.action === "delete";
}

/** Applies every rule to one stack's changes. */
export function blastRadiusViolations(
  stack: string,
  changes: readonly PlannedChange[],
  rules: readonly BlastRadiusRule[] = BLAST_RADIUS_RULES,
): BlastRadiusViolation[] {
  const destructive = changes.filter(isDestructive);
  const violations: BlastRadiusViolation[] = [];
  for (const rule of rules) {
    const hits = destructive.filter(rule.matches);
    if (hits.length > rule.tolerated) violations.push({ stack, rule, changes: hits });
  }
  return violations;
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
    lines.push(`- ${v.stack}: ${v.changes.length} × ${v.rule.id} (${limit}): ${v.rule.why}`);
    for (const c of v.changes) lines.push(`    ${c.action} ${c.path} (${c.address})`);
  }
  lines.push(
    `To accept it deliberately, re-run with ${OVERRIDE_FLAG} or set ${OVERRIDE_ENV}=1`,
    `(in GitLab: "Run pipeline" with the CI/CD variable ${OVERRIDE_ENV}=1), or split the change into smaller merge requests.`,
  );
  return lines.join("\n");
}
