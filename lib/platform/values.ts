import type { HelmValues } from "../config/platform";

export type { HelmValues };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Deep-merges Helm values layers, later layers winning, with Helm's own semantics so what we compute is
 * what Helm renders: maps merge key by key, lists and scalars replace (Helm never merges lists), and an
 * explicit `null` stays null (in Helm it deletes the chart default). Inputs are never mutated.
 */
export function deepMerge(...layers: readonly (HelmValues | undefined)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const layer of layers) if (layer) mergeInto(out, layer);
  return out;
}

/** Merges `layer` into `out`, whose maps are all copies of its own (so changed in place, not copied again). */
function mergeInto(out: Record<string, unknown>, layer: Record<string, unknown>): void {
  for (const key of Object.keys(layer)) {
    const value = layer[key];
    if (value === undefined) continue;
    const current = out[key];
    if (isPlainObject(current) && isPlainObject(value)) mergeInto(current, value);
    else out[key] = clone(value);
  }
}

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (isPlainObject(value)) return deepMerge(value);
  return value;
}

/** Values with `value` at the dotted `path` (no key of ours contains a dot), as a mergeable layer. */
export function valuesAt(path: string, value: unknown): Record<string, unknown> {
  return path
    .split(".")
    .reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

/** The value at a dotted path, or undefined. */
export function valueAt(values: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((node, key) => (isPlainObject(node) ? node[key] : undefined), values);
}
