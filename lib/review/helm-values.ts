/**
 * A helm_release's values as Helm sees them: every `values` document parsed and deep-merged in
 * order (later documents win; maps merge, lists and scalars are replaced), as `helm install -f a -f b`.
 */
import { yamlPackage } from "../config/yaml-text";

type Values = Record<string, unknown>;

/**
 * Parsed documents by their text: before and after of a release mostly share documents, and a big
 * plan repeats them; YAML parsing is the costly part of reading values. Bounded, and reset when full.
 */
const parsedDocs = new Map<string, unknown>();
const MAX_CACHED_DOCS = 500;

function parseDoc(doc: string): unknown {
  if (parsedDocs.has(doc)) return parsedDocs.get(doc);
  let parsed: unknown;
  try {
    // JSON is YAML, and bulk documents (the Traefik CRDs) are JSON: JSON.parse reads them a hundred times faster.
    parsed = doc.trimStart().startsWith("{") ? parseJsonOrYaml(doc) : parse(doc);
  } catch {
    parsed = NOT_YAML;
  }
  if (parsedDocs.size >= MAX_CACHED_DOCS) parsedDocs.clear();
  parsedDocs.set(doc, parsed);
  return parsed;
}
const NOT_YAML = Symbol("not YAML");

/** yaml is loaded on the first parse: synth loads this module (through lib/index) but never reads values back. */
function parse(doc: string): unknown {
  return yamlPackage().parse(doc);
}

/** A flow mapping that is not strict JSON (`{a: 1}`) is still YAML. */
function parseJsonOrYaml(doc: string): unknown {
  try {
    return JSON.parse(doc);
  } catch {
    return parse(doc);
  }
}

/** The merged values of a helm_release state, or undefined when it has none or they do not parse. */
export function mergedHelmValues(state: unknown): Values | undefined {
  const docs = isObject(state) && Array.isArray(state.values) ? state.values : [];
  let merged: Values | undefined;
  for (const doc of docs) {
    if (typeof doc !== "string") return undefined; // unknown until apply, or not YAML text
    const parsed = parseDoc(doc);
    if (parsed === NOT_YAML) return undefined;
    if (parsed === null || parsed === undefined) continue;
    if (!isObject(parsed)) return undefined;
    merged = merge(merged ?? {}, parsed);
  }
  return merged;
}

function merge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? merge(out[k] as Values, v) : v;
  return out;
}

export function isObject(v: unknown): v is Values {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
