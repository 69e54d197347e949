/**
 * YAML text for plain JSON data, byte-identical to `stringify(value, { lineWidth: 0 })` of the pinned `yaml`
 * (2.9.1) and several times faster: yaml first builds a Document node for every value, which was ~14% of a
 * cold synth. The rules below are yaml's own (stringify/stringifyString.js, stringifyPair.js,
 * stringifyCollection.js, schema/core) for what our data holds: block maps and sequences, plain, quoted
 * and literal-block strings, finite numbers, booleans, null, anchors for an object met twice. Whatever this
 * writer cannot prove identical (control characters, a multi-line key, class instances, Map, Date...) is
 * written by yaml itself, the whole document, and yaml is loaded only then.
 */

/** How many documents went to yaml itself (tests and measurements read it). */
export const yamlTextStats = { written: 0, delegated: 0 };

let yaml: typeof import("yaml") | undefined;

/** The `yaml` package, loaded on first use: a synth of the shipped stacks never needs it. */
export function yamlPackage(): typeof import("yaml") {
  return (yaml ??= require("yaml") as typeof import("yaml"));
}

/** Thrown (no Error: no stack trace to capture) when a value needs yaml itself. */
const NEEDS_YAML = Symbol("needs yaml");
/** Thrown when an object is met twice: written again with anchors (rare, so the common case does not pay for them). */
const REPEATED = Symbol("repeated object");

/**
 * `stringify(value, { lineWidth: 0 })`. lineWidth 0: yaml never folds a long line, so long strings (PEM, URLs,
 * PromQL) stay on one line and the text is the same whatever the indentation depth.
 */
export function toYaml(value: unknown): string {
  if (value !== null && typeof value === "object" && isPlain(value)) {
    try {
      let text: string;
      try {
        text = collection(value, "", { seen: new Set() }, true);
      } catch (e) {
        if (e !== REPEATED) throw e;
        text = collection(value, "", { seen: new Set(), anchors: anchorsOf(value) }, true);
      }
      yamlTextStats.written++;
      return text + "\n";
    } catch (e) {
      if (e !== NEEDS_YAML) throw e;
    }
  }
  yamlTextStats.delegated++;
  return yamlPackage().stringify(value, { lineWidth: 0 });
}

interface Written {
  /** Objects already written: yaml writes an object met again as an alias (`*a1`) of the first (`&a1`). */
  readonly seen: Set<object>;
  readonly anchors?: Map<object, string>;
}

/**
 * yaml's anchor names: a1, a2... in the order its depth-first walk meets each object the second time
 * (not the first), which is the order this walk reproduces.
 */
function anchorsOf(root: object): Map<object, string> {
  const seen = new Set<object>();
  const anchors = new Map<object, string>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== "object") return;
    if (seen.has(v)) {
      if (!anchors.has(v)) anchors.set(v, `a${anchors.size + 1}`);
      return;
    }
    seen.add(v);
    for (const item of Array.isArray(v) ? v : Object.values(v)) visit(item);
  };
  visit(root);
  return anchors;
}

/** Plain objects and arrays only: yaml writes others (Map, Date, toJSON...) by other rules. */
function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  if (Array.isArray(v) ? proto !== Array.prototype : proto !== Object.prototype && proto !== null) return false;
  return typeof (v as { toJSON?: unknown }).toJSON !== "function";
}

/** A block map or sequence whose continuation lines start with `indent` ({} and [] when empty). */
function collection(v: object, indent: string, w: Written, top: boolean): string {
  if (w.seen.has(v)) {
    const anchor = w.anchors?.get(v);
    if (anchor === undefined) throw REPEATED;
    return `*${anchor}`;
  }
  w.seen.add(v);
  const anchor = w.anchors?.get(v);
  const body = Array.isArray(v) ? sequence(v, indent, w) : map(v as Record<string, unknown>, indent, w, top);
  if (anchor === undefined) return body;
  return body === "{}" || body === "[]" ? `&${anchor} ${body}` : `&${anchor}\n${indent}${body}`;
}

function sequence(v: readonly unknown[], indent: string, w: Written): string {
  let out = "";
  // A missing item (undefined, a hole) is written as null, as yaml does.
  for (let i = 0; i < v.length; i++) out += (i ? `\n${indent}- ` : "- ") + node(v[i] ?? null, indent + "  ", w);
  return out || "[]";
}

function map(v: Record<string, unknown>, indent: string, w: Written, top: boolean): string {
  const inner = indent + "  ";
  let out = "";
  for (const key of Object.keys(v)) {
    const item = v[key];
    if (item === undefined) continue; // yaml drops a key whose value is undefined
    const text = node(item, inner, w);
    // A non-empty collection starts on the next line; {}, [], scalars, `&a1 ...` and `*a1` after the colon.
    const block = typeof item === "object" && item !== null && !"{[&*".includes(text[0]);
    out += (out ? `\n${indent}` : "") + keyText(key, top) + (block ? `:\n${inner}` : ": ") + text;
  }
  return out || "{}";
}

function node(v: unknown, indent: string, w: Written): string {
  switch (typeof v) {
    case "string":
      return v.includes("\n") ? literalBlock(v, indent) : scalarText(v, false);
    case "boolean":
      return v ? "true" : "false";
    case "number":
      if (Number.isFinite(v)) return Object.is(v, -0) ? "-0" : String(v);
      break;
    case "object":
      if (v === null) return "null";
      if (isPlain(v)) return collection(v, indent, w, false);
  }
  throw NEEDS_YAML;
}

/** Control characters, CR and lone surrogates: yaml writes such strings with escapes in double quotes. */
const NEEDS_ESCAPES = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
/** yaml's test for a string that cannot be plain (an indicator first, `: `, ` #`, a space or colon last...). */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
/** Plain text the core schema would read back as null, a boolean or a number (the `test` of each core tag). */
export const NON_STRING_TESTS = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];
const NON_STRING = new RegExp(NON_STRING_TESTS.map((r) => r.source).join("|"));

/** A one-line string: plain when yaml writes it plain, else quoted as yaml quotes it. */
function scalarText(s: string, topLevelKey: boolean): string {
  if (NEEDS_ESCAPES.test(s)) throw NEEDS_YAML;
  // A top-level key starting like a document marker is quoted so the text is not read as a new document.
  if (!NOT_PLAIN.test(s) && !NON_STRING.test(s) && !(topLevelKey && /^(?:---|\.\.\.)/.test(s))) return s;
  // Single quotes only for text with double quotes and no single quote; else JSON's double quotes, which
  // is what yaml writes for one line without control characters (only \" \\ \t are escaped).
  return s.includes('"') && !s.includes("'") ? `'${s}'` : JSON.stringify(s);
}

function keyText(key: string, top: boolean): string {
  if (key.includes("\n")) throw NEEDS_YAML; // a multi-line key is double-quoted with escapes
  const text = scalarText(key, top);
  if (text.length > 1024) throw NEEDS_YAML; // yaml makes a key this long explicit (`? key`)
  return text;
}

/** yaml's runs of newlines inside a block scalar's trailing whitespace (not the last run). */
const BLOCK_END_NEWLINES = /(^|(?<!\n))\n+(?!\n|$)/g;

/**
 * A multi-line string as yaml writes it with lineWidth 0: a literal block (`|`), its chomping from the
 * trailing newlines (`|-` none, `|` one, `|+` more or only whitespace), an indentation indicator when the
 * first line starts with a space, blank lines left empty. This is yaml's blockString, literal branch.
 */
function literalBlock(value: string, indent: string): string {
  // Whitespace after the last newline: yaml double-quotes it (a block cannot end in spaces on an empty line).
  if (NEEDS_ESCAPES.test(value) || /\n[\t ]+$/.test(value)) throw NEEDS_YAML;
  let endStart = value.length;
  while (endStart > 0 && (value[endStart - 1] === "\n" || value[endStart - 1] === "\t" || value[endStart - 1] === " ")) endStart--;
  let end = value.slice(endStart);
  const endNl = end.indexOf("\n");
  const chomp = endNl === -1 ? "-" : value === end || endNl !== end.length - 1 ? "+" : "";
  if (end) {
    value = value.slice(0, endStart);
    if (end.endsWith("\n")) end = end.slice(0, -1);
    end = end.replace(BLOCK_END_NEWLINES, `$&${indent}`);
  }
  let startEnd = 0;
  let startNl = -1;
  let startsWithSpace = false;
  for (; startEnd < value.length; startEnd++) {
    if (value[startEnd] === " ") startsWithSpace = true;
    else if (value[startEnd] === "\n") startNl = startEnd;
    else break;
  }
  const start = value.slice(0, startNl + 1);
  const body = value.slice(start.length).replace(/\n+/g, `$&${indent}`);
  return `|${startsWithSpace ? "2" : ""}${chomp}\n${indent}${start.replace(/\n+/g, `$&${indent}`)}${body}${end}`;
}
