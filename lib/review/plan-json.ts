/**
 * The parts of Terraform's machine-readable plan (`terraform show -json plan.out`, format 1.x)
 * that the review tools read. Plan JSON is Terraform's stable interface: only documented fields.
 */

/** One action list as Terraform writes it; ["delete","create"] / ["create","delete"] is a replacement. */
export type TerraformAction = "no-op" | "create" | "read" | "update" | "delete" | "forget";
const ACTIONS: ReadonlySet<string> = new Set<TerraformAction>(["no-op", "create", "read", "update", "delete", "forget"]);

/**
 * Terraform's JSON format versions: the major version changes only on incompatible changes, minor
 * versions only add fields. Everything this tool reads exists since 1.0.
 */
export const SUPPORTED_FORMAT_MAJOR = "1";

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
  readonly planned_values?: unknown;
  readonly resource_changes?: readonly PlanResourceChange[];
}

/** How many malformed entries one message names before it says "and N more". */
const MAX_NAMED_PROBLEMS = 5;

/**
 * Narrows parsed JSON to a plan, or says in one message why it is not one. A wrong file must never
 * pass as an empty plan (that would wave through whatever the real plan does), and a malformed entry
 * must never crash the gate with exit 1, which means "refused".
 */
export function asPlanJson(value: unknown, source: string): PlanJson | string {
  if (!isObject(value)) return `${source} is not a Terraform plan (expected a JSON object from \`terraform show -json plan.out\`)`;
  if (!("planned_values" in value) && !("resource_changes" in value)) {
    const what = "values" in value ? "it looks like `terraform show -json` of a state (it has `values`)" : "it has neither planned_values nor resource_changes";
    return `${source} is not a Terraform plan: ${what}; give the output of \`terraform show -json plan.out\` for a saved plan`;
  }
  const version = value.format_version;
  if (typeof version !== "string" || version.split(".")[0] !== SUPPORTED_FORMAT_MAJOR) {
    return `${source}: unsupported plan format_version ${JSON.stringify(version ?? null)} (supported: ${SUPPORTED_FORMAT_MAJOR}.x, written by Terraform >= 1.0)`;
  }
  const changes = value.resource_changes ?? [];
  if (!Array.isArray(changes)) return `${source}: resource_changes is not a list`;
  const problems = changes.flatMap((entry, i) => entryProblems(entry, `resource_changes[${i}]`));
  if (problems.length > 0) {
    const named = problems.slice(0, MAX_NAMED_PROBLEMS);
    const more = problems.length > named.length ? `; and ${problems.length - named.length} more` : "";
    return `${source} has malformed resource_changes (is it really \`terraform show -json\` output?): ${named.join("; ")}${more}`;
  }
  return value as PlanJson;
}

/** What is wrong with one `resource_changes` entry, in words that name it. */
function entryProblems(entry: unknown, at: string): string[] {
  if (!isObject(entry)) return [`${at} is ${entry === null ? "null" : `a ${Array.isArray(entry) ? "list" : typeof entry}`}, not an object`];
  const name = typeof entry.address === "string" ? `${at} (${entry.address})` : at;
  const problems: string[] = [];
  for (const key of ["address", "type", "name"]) if (typeof entry[key] !== "string") problems.push(`${name} has no ${key}`);
  for (const key of ["previous_address", "module_address", "deposed"]) {
    if (entry[key] !== undefined && entry[key] !== null && typeof entry[key] !== "string") problems.push(`${name}: ${key} is not a string`);
  }
  if (entry.mode !== undefined && entry.mode !== "managed" && entry.mode !== "data") problems.push(`${name} has mode ${JSON.stringify(entry.mode)}`);
  const change = entry.change;
  if (!isObject(change)) return [...problems, `${name} has no change object`];
  const actions = change.actions;
  if (!Array.isArray(actions) || actions.length === 0 || !actions.every((a) => typeof a === "string" && ACTIONS.has(a))) {
    problems.push(`${name}: change.actions ${JSON.stringify(actions ?? null)} is not a list of Terraform actions`);
  }
  const paths = change.replace_paths;
  if (paths !== undefined && paths !== null && !(Array.isArray(paths) && paths.every((p) => Array.isArray(p)))) {
    problems.push(`${name}: change.replace_paths is not a list of attribute paths`);
  }
  return problems;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
