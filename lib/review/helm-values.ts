/**
 * A helm_release's values as Helm sees them: every `values` document parsed and deep-merged in
 * order (later documents win; maps merge, lists and scalars are replaced), as `helm install -f a -f b`.
 */
import { parse } from "yaml";

type Values = Record<string, unknown>;

/** The merged values of a helm_release state, or undefined when it has none or they do not parse. */
export function mergedHelmValues(state: unknown): Values | undefined {
  const docs = isObject(state) && Array.isArray(state.values) ? state.values : [];
  let merged: Values | undefined;
  for (const doc of docs) {
    if (typeof doc !== "string") return undefined; // unknown until apply, or not YAML text
    let parsed: unknown;
    try {
      parsed = parse(doc);
    } catch {
      return undefined;
    }
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
