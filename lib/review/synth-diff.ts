import { synthResources, type SynthResource } from "./synth-resources";
import { sameJson } from "./same-json";

/** One attribute that differs between base and head synth. */
export interface AttributeChange {
  /** Dotted path into the resource config, e.g. `input.size` or `lifecycle`. */
  readonly name: string;
  /** Short rendering of scalar values when harmless; undefined when long, structured or secret-looking. */
  readonly from?: string;
  readonly to?: string;
}

export interface ResourceDiff {
  readonly address: string;
  readonly type: string;
  readonly path: string;
  readonly attributes: readonly AttributeChange[];
}

export interface StackSynthDiff {
  readonly stack: string;
  /** "added"/"removed" for whole stacks, "changed" otherwise. */
  readonly status: "added" | "removed" | "changed" | "unchanged";
  readonly added: readonly ResourceDiff[];
  readonly removed: readonly ResourceDiff[];
  readonly changed: readonly ResourceDiff[];
  /** Non-resource blocks that differ: `provider.helm`, `terraform.backend`, `output.x`, ... */
  readonly otherBlocks: readonly string[];
}

/** Top-level blocks of cdk.tf.json compared by name (resources and data sources are compared one by one). */
const OTHER_BLOCKS = ["terraform", "provider", "variable", "locals", "output", "module", "moved", "import"];

/** Diffs two sets of synthesized stacks (stack name -> parsed cdk.tf.json). Pure. */
export function diffSynth(base: ReadonlyMap<string, unknown>, head: ReadonlyMap<string, unknown>): StackSynthDiff[] {
  const names = [...new Set([...base.keys(), ...head.keys()])].sort();
  return names.map((stack) => diffStack(stack, base.get(stack), head.get(stack)));
}

export function diffStack(stack: string, base: unknown, head: unknown): StackSynthDiff {
  const b = synthResources(base ?? {});
  const h = synthResources(head ?? {});
  const added = [...h.values()].filter((r) => !b.has(r.address)).map((r) => asDiff(r, []));
  const removed = [...b.values()].filter((r) => !h.has(r.address)).map((r) => asDiff(r, []));
  const changed: ResourceDiff[] = [];
  for (const r of h.values()) {
    const old = b.get(r.address);
    if (!old) continue;
    const attributes = attributeChanges("", old.config, r.config, 0);
    if (attributes.length > 0) changed.push(asDiff(r, attributes));
  }
  const otherBlocks = OTHER_BLOCKS.flatMap((block) => blockChanges(block, base, head));
  const status =
    base === undefined ? "added" : head === undefined ? "removed" : added.length + removed.length + changed.length + otherBlocks.length > 0 ? "changed" : "unchanged";
  return { stack, status, added: byPath(added), removed: byPath(removed), changed: byPath(changed), otherBlocks };
}

function asDiff(r: SynthResource, attributes: AttributeChange[]): ResourceDiff {
  return { address: r.address, type: r.type, path: r.path, attributes };
}

function byPath(list: ResourceDiff[]): ResourceDiff[] {
  return list.sort((x, y) => x.path.localeCompare(y.path) || x.address.localeCompare(y.address));
}

/** Descend into objects this deep; below, an attribute is named as a whole. */
const MAX_DEPTH = 3;

function attributeChanges(prefix: string, before: unknown, after: unknown, depth: number): AttributeChange[] {
  if (sameJson(before, after)) return [];
  if (depth < MAX_DEPTH && isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => attributeChanges(prefix ? `${prefix}.${k}` : k, before[k], after[k], depth + 1));
  }
  return [{ name: prefix, from: shortValue(prefix, before), to: shortValue(prefix, after) }];
}

/** Names that suggest a secret: synth output should hold none, but a value is never worth the risk. */
const SECRET_LOOKING = /pass|secret|token|key|cert|private|credential|auth/i;
const MAX_SHOWN = 60;

/** Short scalar values help a reviewer (`version: "1.2" -> "1.3"`); anything else is left to the name. */
export function shortValue(name: string, value: unknown): string | undefined {
  if (SECRET_LOOKING.test(name)) return undefined;
  if (value === undefined) return "(absent)";
  if (value === null || typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string" && value.length <= MAX_SHOWN && !value.includes("\n")) return JSON.stringify(value);
  return undefined;
}

function blockChanges(block: string, base: unknown, head: unknown): string[] {
  const b = asObject(asObject(base)[block]);
  const h = asObject(asObject(head)[block]);
  const keys = [...new Set([...Object.keys(b), ...Object.keys(h)])].sort();
  return keys.filter((k) => !sameJson(stripMeta(b[k]), stripMeta(h[k]))).map((k) => `${block}.${k}`);
}

/** cdktf metadata (`//`) carries stack traces and ids that change without meaning anything. */
function stripMeta(v: unknown): unknown {
  if (!isObject(v)) return v;
  const { "//": _ignored, ...rest } = v;
  return rest;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
function asObject(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {};
}
