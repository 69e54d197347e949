import type { PlanResourceChange } from "./plan-json";
import { pathFromLogicalId, type SynthResource } from "./synth-resources";
import { changedAttributes, type ChangedAttribute } from "./changed-attributes";

/** What a reviewer needs to know about one resource change, in the words of the construct tree. */
export type ChangeAction = "create" | "update" | "replace" | "delete" | "forget" | "read" | "no-op";

export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  /** Construct path below the stack (from cdktf metadata; guessed from the name if not in the synth). */
  readonly path: string;
  /** True when `path` came from cdktf metadata, false when guessed from the Terraform name. */
  readonly pathFromMetadata: boolean;
  readonly action: ChangeAction;
  /** Replace order: Terraform destroys first unless the resource has create_before_destroy. */
  readonly createBeforeDestroy: boolean;
  /** For updates: which attributes change (names only, flagged when sensitive). */
  readonly changed: readonly ChangedAttribute[];
  /** For replacements: the attributes that force it, as Terraform reports them. */
  readonly replaceReasons: readonly string[];
  readonly previousAddress?: string;
  /** Construct path at the previous address (after a `moved` block), when the synths know it. */
  readonly previousPath?: string;
  /** Resource state before (for delete/replace/update) or after (create): input of the blast-radius rules. */
  readonly before: unknown;
  readonly after: unknown;
  /** Which parts of before/after are sensitive or unknown: the values diff must not print those. */
  readonly beforeSensitive?: unknown;
  readonly afterSensitive?: unknown;
  readonly afterUnknown?: unknown;
}

/** Maps Terraform's action lists to one word; a replacement is two actions in either order. */
export function actionOf(actions: readonly string[]): ChangeAction {
  const key = actions.join(",");
  switch (key) {
    case "delete,create":
    case "create,delete":
      return "replace";
    case "create":
    case "update":
    case "delete":
    case "forget":
    case "read":
    case "no-op":
      return key;
    default:
      // Terraform may grow new action combinations; treating unknown ones as replace errs on the side of review.
      return actions.includes("delete") ? "replace" : "update";
  }
}

/**
 * Normalises one entry of `resource_changes`. `synth` is the stack's synthesized resources (by
 * address), `baseSynth` optional older ones, used to name resources that the new synth no longer has.
 */
export function toPlannedChange(
  rc: PlanResourceChange,
  synth: ReadonlyMap<string, SynthResource>,
  baseSynth?: ReadonlyMap<string, SynthResource>,
): PlannedChange {
  const key = `${rc.module_address ? `${rc.module_address}.` : ""}${rc.mode === "data" ? "data." : ""}${rc.type}.${rc.name}`;
  const known = synth.get(key) ?? baseSynth?.get(key);
  // A moved resource: its old address (without index) names the construct it used to be.
  const previousKey = rc.previous_address?.replace(/\[[^\]]*\]$/, "");
  const previous = previousKey ? (baseSynth?.get(previousKey) ?? synth.get(previousKey)) : undefined;
  const index = rc.index === undefined ? "" : `[${JSON.stringify(rc.index)}]`;
  const deposed = rc.deposed ? ` (deposed ${rc.deposed})` : "";
  const action = actionOf(rc.change.actions);
  return {
    address: rc.address,
    type: rc.type,
    path: (known ? known.path : pathFromLogicalId(rc.name)) + index + deposed,
    pathFromMetadata: known !== undefined,
    action,
    createBeforeDestroy: rc.change.actions[0] === "create" && action === "replace",
    changed: action === "update" || action === "replace" ? changedAttributes(rc.change) : [],
    replaceReasons: (rc.change.replace_paths ?? []).map(formatAttributePath),
    previousAddress: rc.previous_address,
    previousPath: previous?.path ?? (previousKey ? pathFromLogicalId(previousKey.split(".").pop() ?? "") : undefined),
    before: rc.change.before ?? null,
    after: rc.change.after ?? null,
    beforeSensitive: rc.change.before_sensitive,
    afterSensitive: rc.change.after_sensitive,
    afterUnknown: rc.change.after_unknown,
  };
}

/** `["disk", 1, "size"]` -> `disk[1].size`. */
export function formatAttributePath(path: ReadonlyArray<string | number>): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}
