/**
 * The parts of Terraform's machine-readable plan (`terraform show -json plan.out`, format 1.x)
 * that the review tools read. Plan JSON is Terraform's stable interface: only documented fields.
 */

/** One action list as Terraform writes it; ["delete","create"] / ["create","delete"] is a replacement. */
export type TerraformAction = "no-op" | "create" | "read" | "update" | "delete" | "forget";

export interface PlanResourceChange {
  readonly address: string;
  readonly previous_address?: string;
  readonly module_address?: string;
  readonly mode?: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly index?: number | string;
  readonly deposed?: string;
  readonly action_reason?: string;
  readonly change: {
    readonly actions: readonly TerraformAction[];
    readonly before?: unknown;
    readonly after?: unknown;
    readonly after_unknown?: unknown;
    readonly before_sensitive?: unknown;
    readonly after_sensitive?: unknown;
    readonly replace_paths?: ReadonlyArray<ReadonlyArray<string | number>>;
  };
}

export interface PlanJson {
  readonly format_version?: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly PlanResourceChange[];
}

/** Narrows parsed JSON to a plan, or says in one sentence why it is not one. */
export function asPlanJson(value: unknown, source: string): PlanJson | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `${source} is not a Terraform plan (expected a JSON object from \`terraform show -json plan.out\`)`;
  }
  const plan = value as Record<string, unknown>;
  if (!("format_version" in plan) && !("resource_changes" in plan)) {
    return `${source} has neither format_version nor resource_changes: is it \`terraform show -json\` of a saved plan (not of the state, not \`terraform plan -json\` log lines)?`;
  }
  if (plan.resource_changes !== undefined && !Array.isArray(plan.resource_changes)) {
    return `${source}: resource_changes is not a list`;
  }
  return plan as PlanJson;
}
