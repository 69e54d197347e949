/**
 * What `helm diff upgrade` showed reviewers: the key-level change of a helm_release's values, from
 * the plan's before/after (`prometheus.prometheusSpec.retention: 15d → 30d`). Values carry no
 * secrets (those go through `set_sensitive`): set_sensitive entries and anything the plan marks
 * sensitive are named, never shown. Long lists and multi-line strings are diffed line by line.
 */
import { toYaml } from "../config/yaml-text";
import type { PlannedChange } from "./planned-change";
import { mergedHelmValues, isObject } from "./helm-values";
import { sameJson } from "./same-json";

export type ValueChange =
  | { readonly key: string; readonly kind: "scalar"; readonly from: string; readonly to: string }
  | { readonly key: string; readonly kind: "lines"; readonly lines: readonly string[] }
  | { readonly key: string; readonly kind: "sensitive" | "unknown" };

/** Lists up to this many scalars read fine on one line; longer ones, or lists of maps, go line by line. */
const INLINE_LIST_MAX = 4;
/** Unchanged lines kept around each changed line of a line diff. */
const CONTEXT_LINES = 2;
/** Beyond this many lines per side a line diff is not shown (the quadratic diff and the note both suffer). */
const MAX_DIFF_LINES = 2000;

export function helmValuesDiff(change: PlannedChange): ValueChange[] {
  if (change.type !== "helm_release" || change.action !== "update") return [];
  const before = obj(change.before);
  const after = obj(change.after);
  const out: ValueChange[] = [];
  if (marked(change.afterUnknown, "values")) out.push({ key: "values", kind: "unknown" });
  else if (marked(change.beforeSensitive, "values") || marked(change.afterSensitive, "values")) {
    if (!sameJson(before.values, after.values)) out.push({ key: "values", kind: "sensitive" });
  } else if (!sameJson(before.values, after.values)) {
    diffValues("", mergedHelmValues(before) ?? {}, mergedHelmValues(after) ?? {}, out);
  }
  diffSetEntries("set", before.set, after.set, marked(change.beforeSensitive, "set") || marked(change.afterSensitive, "set"), out);
  diffSetEntries("set_sensitive", before.set_sensitive, after.set_sensitive, true, out);
  return out;
}

function diffValues(key: string, before: unknown, after: unknown, out: ValueChange[]): void {
  if (sameJson(before, after)) return;
  if (isObject(before) && isObject(after)) {
    for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) diffValues(join(key, k), before[k], after[k], out);
    return;
  }
  if (isMultiLine(before) || isMultiLine(after)) out.push({ key, kind: "lines", lines: lineDiff(text(before), text(after)) });
  else out.push({ key, kind: "scalar", from: inline(before), to: inline(after) });
}

/** `set` / `set_sensitive` entries by name; sensitive ones only say that they changed. */
function diffSetEntries(attr: string, before: unknown, after: unknown, sensitive: boolean, out: ValueChange[]): void {
  const byName = (v: unknown) => new Map((Array.isArray(v) ? v : []).filter(isObject).map((e) => [String(e.name), e.value]));
  const b = byName(before);
  const a = byName(after);
  for (const name of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    if (sameJson(b.get(name), a.get(name)) && b.has(name) === a.has(name)) continue;
    const key = `${attr}[${name}]`;
    out.push(sensitive ? { key, kind: "sensitive" } : { key, kind: "scalar", from: inline(b.get(name)), to: inline(a.get(name)) });
  }
}

function isMultiLine(v: unknown): boolean {
  if (typeof v === "string") return v.includes("\n");
  if (Array.isArray(v)) return v.length > INLINE_LIST_MAX || v.some((x) => typeof x === "object" && x !== null);
  return isObject(v); // a map that replaces a scalar (or the reverse)
}

/** A value as lines: strings as they are, structures as YAML. */
function text(v: unknown): string[] {
  if (v === undefined) return [];
  // Lists of scalars are the common long value (targets, hosts): one `- item` per line, no YAML writer needed.
  if (Array.isArray(v) && v.every((x) => typeof x !== "object" || x === null)) return v.map((x) => `- ${inline(x)}`);
  const s = typeof v === "string" ? v : toYaml(v);
  return s.replace(/\n$/, "").split("\n");
}

function inline(v: unknown): string {
  if (v === undefined) return "(unset)";
  if (typeof v === "string") return v === "" ? '""' : v;
  return JSON.stringify(v);
}

function join(prefix: string, key: string): string {
  const part = /^[A-Za-z0-9_-]+$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  return prefix === "" || part.startsWith("[") ? `${prefix}${part}` : `${prefix}.${part}`;
}

/** A minimal line diff (LCS) with a little context, as `-`/`+`/` ` lines; `…` marks skipped runs. */
export function lineDiff(before: readonly string[], after: readonly string[]): string[] {
  if (before.length > MAX_DIFF_LINES || after.length > MAX_DIFF_LINES) {
    return [`… ${before.length} lines → ${after.length} lines (too long to show here)`];
  }
  const n = before.length;
  const m = after.length;
  // lcs[i][j]: length of the longest common subsequence of before[i..] and after[j..].
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = before[i] === after[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const all: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      all.push(`  ${before[i++]}`);
      j++;
    } else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) all.push(`- ${before[i++]}`); // removals first, as diff does
    else all.push(`+ ${after[j++]}`);
  }
  const keep = all.map((l, k) => !l.startsWith("  ") || all.slice(Math.max(0, k - CONTEXT_LINES), k + CONTEXT_LINES + 1).some((x) => !x.startsWith("  ")));
  const out: string[] = [];
  keep.forEach((k, idx) => {
    if (k) out.push(all[idx]);
    else if (out[out.length - 1] !== "  …") out.push("  …");
  });
  return out;
}

function marked(v: unknown, key: string): boolean {
  const x = isObject(v) ? v[key] : undefined;
  return containsTrue(x);
}

function containsTrue(v: unknown): boolean {
  if (v === true) return true;
  if (Array.isArray(v)) return v.some(containsTrue);
  if (isObject(v)) return Object.values(v).some(containsTrue);
  return false;
}

function obj(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {};
}
