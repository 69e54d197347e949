import { sameJson } from "./same-json";

/**
 * Names the attributes an update changes, never their values: plan JSON carries sensitive values
 * in clear text (only marked in before_sensitive/after_sensitive), and an MR note is widely readable.
 */

export interface ChangedAttribute {
  /** Dotted attribute path, e.g. `input.size` or `disk` (lists are named as a whole). */
  readonly name: string;
  /** Marked sensitive before or after: the reader learns that it changed, nothing more. */
  readonly sensitive: boolean;
  /** Value not known until apply (e.g. a computed id). */
  readonly unknown: boolean;
}

interface ChangeSides {
  readonly before?: unknown;
  readonly after?: unknown;
  readonly after_unknown?: unknown;
  readonly before_sensitive?: unknown;
  readonly after_sensitive?: unknown;
}

/** How deep to descend into nested objects: deep enough for `values.x`, short enough to read. */
const MAX_DEPTH = 3;

export function changedAttributes(change: ChangeSides): ChangedAttribute[] {
  const out: ChangedAttribute[] = [];
  walk("", change.before, change.after, change.after_unknown, change.before_sensitive, change.after_sensitive, 0, out);
  return out;
}

function walk(
  name: string,
  before: unknown,
  after: unknown,
  unknown: unknown,
  beforeSensitive: unknown,
  afterSensitive: unknown,
  depth: number,
  out: ChangedAttribute[],
): void {
  const sensitive = beforeSensitive === true || afterSensitive === true;
  if (unknown === true) {
    if (name) out.push({ name, sensitive, unknown: true });
    return;
  }
  const descend = !sensitive && depth < MAX_DEPTH && (isObject(before) || isObject(after)) && !(name && (isList(before) || isList(after)));
  if (descend) {
    const b = isObject(before) ? before : {};
    const a = isObject(after) ? after : {};
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a), ...Object.keys(asObject(unknown))])].sort();
    for (const key of keys) {
      walk(
        name ? `${name}.${key}` : key,
        b[key],
        a[key],
        asObject(unknown)[key],
        asObject(beforeSensitive)[key],
        asObject(afterSensitive)[key],
        depth + 1,
        out,
      );
    }
    return;
  }
  // Below the depth limit (or for lists and sensitive values) compare whole values.
  if (name && (!sameJson(before, after) || containsUnknown(unknown))) {
    out.push({ name, sensitive: sensitive || containsTrue(beforeSensitive) || containsTrue(afterSensitive), unknown: containsUnknown(unknown) });
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
function isList(v: unknown): boolean {
  return Array.isArray(v);
}
function asObject(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {};
}
function containsTrue(v: unknown): boolean {
  if (v === true) return true;
  if (Array.isArray(v)) return v.some(containsTrue);
  if (isObject(v)) return Object.values(v).some(containsTrue);
  return false;
}
const containsUnknown = containsTrue;
