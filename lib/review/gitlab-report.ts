import type { PlanJson } from "./plan-json";

/** The report GitLab's merge request widget reads from `artifacts: reports: terraform`. */
export interface GitLabTerraformReport {
  readonly create: number;
  readonly update: number;
  readonly delete: number;
}

/**
 * Counts exactly as GitLab's documented `jq` filter ("Terraform integration in merge requests"):
 * it flattens every `resource_changes[].change.actions` list and counts each action word, so a
 * replacement (["delete","create"] or ["create","delete"]) counts once as a create AND once as a
 * delete, and read / no-op / forget count nothing. Matching it keeps our numbers equal to the widget's.
 */
export function gitLabReport(plan: PlanJson): GitLabTerraformReport {
  let create = 0;
  let update = 0;
  let del = 0;
  for (const rc of plan.resource_changes ?? []) {
    for (const action of rc.change?.actions ?? []) {
      if (action === "create") create++;
      else if (action === "update") update++;
      else if (action === "delete") del++;
    }
  }
  return { create, update, delete: del };
}

/** Sum of several stacks' reports, for one combined artifact. */
export function sumReports(reports: readonly GitLabTerraformReport[]): GitLabTerraformReport {
  return reports.reduce((s, r) => ({ create: s.create + r.create, update: s.update + r.update, delete: s.delete + r.delete }), {
    create: 0,
    update: 0,
    delete: 0,
  });
}
