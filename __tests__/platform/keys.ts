import { deepMerge, isPlainObject } from "../../lib/platform/values";

/**
 * Key-by-key check of our Helm values against a chart's real values.yaml: an unknown key is almost always
 * a silent typo (Helm ignores it). Paths use "." between keys and "[]" for list elements.
 *
 * Known = present in upstream values at that position. List elements are checked against the union of
 * the upstream list's elements. Below an upstream `{}`, `[]`, null or scalar nothing is known: such places
 * (free-form maps, commented-out options) must be allow-listed with the reason.
 */
export type AllowList = Readonly<Record<string, string>>;

/** Every leaf path of `values` (empty maps/lists are leaves too). */
export function leafPaths(values: unknown, prefix = ""): string[] {
  if (Array.isArray(values)) {
    if (values.length === 0) return [prefix];
    return values.flatMap((v) => leafPaths(v, `${prefix}[]`));
  }
  if (isPlainObject(values)) {
    const keys = Object.keys(values);
    if (keys.length === 0) return [prefix];
    return keys.flatMap((k) => leafPaths(values[k], prefix ? `${prefix}.${k}` : k));
  }
  return [prefix];
}

/** Splits "a.b[].c" into ["a", "b", "[]", "c"]; "a[3].b" (a --set path) into ["a", "[]", "b"]. */
export function segments(path: string): string[] {
  return path
    .replace(/\[\d*\]/g, ".[]")
    .split(".")
    .filter((s) => s !== "");
}

function join(segs: readonly string[]): string {
  return segs.reduce((out, s) => (s === "[]" ? `${out}[]` : out ? `${out}.${s}` : s), "");
}

function upstreamElement(list: unknown[]): unknown {
  const objects = list.filter(isPlainObject);
  return objects.length > 0 ? deepMerge(...objects) : undefined;
}

/** Why `path` is unknown, or undefined if it is known/allowed. */
export function checkPath(path: string, upstream: unknown, allow: AllowList): string | undefined {
  const segs = segments(path);
  // An allow-listed path covers everything below it.
  if (segs.some((_, i) => allow[join(segs.slice(0, i + 1))] !== undefined)) return undefined;
  let node: unknown = upstream;
  for (let i = 0; i < segs.length; i++) {
    const here = join(segs.slice(0, i + 1));
    const seg = segs[i];
    if (seg === "[]") {
      if (!Array.isArray(node)) return `${here}: upstream has no list here`;
      node = upstreamElement(node);
      if (node === undefined && i < segs.length - 1) return `${here}: upstream list has no documented element keys (allow-list it with the reason)`;
      continue;
    }
    if (!isPlainObject(node) || !(seg in node)) return `${here}: unknown key (not in upstream values.yaml)`;
    node = node[seg];
  }
  return undefined;
}

/** Every unknown path of `values` (and of the `extraPaths`, e.g. set_sensitive names). */
export function unknownKeys(values: unknown, upstream: unknown, allow: AllowList, extraPaths: readonly string[] = []): string[] {
  const problems = [...leafPaths(values), ...extraPaths]
    .filter((p) => p !== "")
    .map((p) => checkPath(p, upstream, allow))
    .filter((p): p is string => p !== undefined);
  return [...new Set(problems)];
}

/**
 * Evidence that an allow-listed path is documented upstream: the path exists in values.yaml, or its last
 * key appears in a comment of values.yaml (a commented-out option such as `# adminPassword: ...`).
 */
export function documentedUpstream(path: string, upstream: unknown, text: string): boolean {
  if (checkPath(path, upstream, {}) === undefined) return true;
  const parts = segments(path).filter((s) => s !== "[]");
  const last = parts[parts.length - 1] ?? "";
  const escape = (key: string) => key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  if (new RegExp(`^\\s*#+\\s*-?\\s*${escape(last)}:`, "m").test(text)) return true;
  // A key with a dot (grafana's `grafana.ini:`), which a dotted path splits in two.
  return parts.length >= 2 && new RegExp(`^\\s*${escape(parts.slice(-2).join("."))}:`, "m").test(text);
}
