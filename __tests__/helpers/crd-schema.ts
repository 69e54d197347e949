import { isPlainObject } from "../../lib/platform/values";

/**
 * A CRD's openAPIV3Schema with every object that lists its properties closed (additionalProperties: false,
 * unless it preserves unknown fields): the API server would silently prune a misspelt field, strict field
 * validation (kubectl --validate=strict) rejects it; the tests do the latter. `dropNullable` removes
 * OpenAPI's `nullable`, which Ajv refuses beside no `type` (null is never what we send).
 */
export function closedCrdSchema(node: unknown, options: { dropNullable?: boolean } = {}): unknown {
  if (Array.isArray(node)) return node.map((n) => closedCrdSchema(n, options));
  if (!isPlainObject(node)) return node;
  const entries = Object.entries(node).filter(([k]) => !(options.dropNullable && k === "nullable"));
  const out: Record<string, unknown> = Object.fromEntries(entries.map(([k, v]) => [k, closedCrdSchema(v, options)]));
  if (isPlainObject(node.properties) && node.additionalProperties === undefined && !node["x-kubernetes-preserve-unknown-fields"]) out.additionalProperties = false;
  return out;
}
