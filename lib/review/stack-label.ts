import type { PlanJson } from "./plan-json";
import type { SynthResource } from "./synth-resources";

/**
 * Does a plan belong to the stack it is labelled with? `--plan dev=plan-prod.json` would judge prod's
 * changes against dev's synth (and post them as dev's). The stacks share construct paths, so the
 * addresses match across stacks; the vSphere and release NAMES do not (`prod-control-plane-1`), and
 * a plan of this synth has, for every literal `name` in it, that same name planned.
 */
export function stackLabelWarning(
  stack: string,
  plan: PlanJson,
  synth: ReadonlyMap<string, SynthResource>,
  baseSynth?: ReadonlyMap<string, SynthResource>,
): string | undefined {
  // Resources that remain after the apply: a deleted or forgotten one is rightly absent from the synth.
  const managed = (plan.resource_changes ?? []).filter(
    (rc) => rc.mode !== "data" && !rc.module_address && !rc.deposed && !["delete", "forget"].includes(rc.change.actions.join(",")),
  );
  if (managed.length === 0) return undefined;
  let unknown = 0;
  const renamed: string[] = [];
  for (const rc of managed) {
    const key = `${rc.type}.${rc.name}`;
    const known = synth.get(key) ?? baseSynth?.get(key);
    if (!known) {
      unknown++;
      continue;
    }
    const synthName = known.config.name;
    const plannedName = isObject(rc.change.after) ? rc.change.after.name : undefined;
    if (typeof synthName === "string" && !synthName.includes("${") && typeof plannedName === "string" && plannedName !== synthName) {
      renamed.push(`${rc.address} is "${plannedName}" in the plan, "${synthName}" in the synth`);
    }
  }
  // A few unknown addresses are normal (resources the synth of a newer commit dropped); most is not.
  const mostlyUnknown = unknown > managed.length / 2;
  if (!mostlyUnknown && renamed.length === 0) return undefined;
  const why = [
    ...(mostlyUnknown ? [`${unknown} of ${managed.length} planned resources are not in its synth`] : []),
    ...(renamed.length > 0 ? [`${renamed.length} planned name(s) differ from its synth (${renamed.slice(0, 2).join("; ")})`] : []),
  ];
  return `the plan given as --plan ${stack}=... does not look like a plan of stack "${stack}": ${why.join(", and ")}. Was it planned for another stack?`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
