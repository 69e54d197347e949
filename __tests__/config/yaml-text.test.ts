import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse, stringify } from "yaml";
import { NON_STRING_TESTS, toYaml, yamlTextStats } from "../../lib/config/yaml-text";
import { synthesize } from "../../stacks/app";
import { seededRandom } from "../helpers/seeded-random";

const yamlOf = (v: unknown) => stringify(v, { lineWidth: 0 });

/** Strings that sit on each of yaml's rules: indicators, plain-looking numbers and booleans, blocks, escapes. */
const STRINGS = [
  "", " ", "a: b", "a:b", "#x", "a #b", "a# b", "- x", "-", "--", "? x", "?", ":", "x:", "true", "True", "TRUE", "yes", "no",
  "null", "Null", "~", "0x1F", "0o17", "1e3", "1E-3", "1_000", ".inf", "-.Inf", ".nan", "-.5", "+1", "012", "1.", "'", '"', "it's",
  'say "hi"', `both ' and "`, "multi\nline", "multi\nline\n", "trail\n\n", "trail\n\n\n", "\n", "\n\n", "\nlead", "\n\nlead",
  " lead\nx", "  two\nx", " \nx", "\n lead", "x \ny", "x\n y", "x\n\n  y\n", "tail \n", "x\n\t", "x\n ", "x\n \n", "x\n\n ",
  "tab\tx", "\t", "x\t", "\tx\ny", "a\u0000b", "cr\r\nlf", "del\u007f", "nel\u0085x", "nbsp\u00a0x", "é", "emoji 🙂", "lone\ud800",
  "@x", "`x", "%x", "x\n%y", "{x}", "[x]", "x,y", "*x", "&x", "!x", "|x", ">x", "http://h:80/p", "${TfToken[TOKEN.1]}",
  "---", "--- x", "...", "x\n---\ny", "x\n...\n", "a\\b", "k8s.io/x=y", "<<", "= x", "x ", " x", "2026-01-01", "10:20",
  "x".repeat(2000), `${"y".repeat(1030)}`, "line\n".repeat(50),
];
const NUMBERS = [0, -1, 1.5, 1e21, 1e-7, 2 ** 53, -0, 0.1 + 0.2, NaN, Infinity, -Infinity];
const SCALARS: unknown[] = [...STRINGS, ...NUMBERS, true, false, null];

/** Some collections are used again (yaml writes anchors and aliases for them). */
function generate(next: () => number, depth: number, made: object[] = []): unknown {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
  const r = next();
  if (made.length > 0 && r < 0.04) return pick(made);
  if (depth <= 0 || r < 0.45) return pick(SCALARS);
  const made1 = <T extends object>(o: T) => (made.push(o), o);
  const size = Math.floor(next() * 4);
  if (r < 0.72) return made1(Array.from({ length: size }, () => (next() < 0.05 ? undefined : generate(next, depth - 1, made))));
  const map: Record<string, unknown> = {};
  for (let i = 0; i < size; i++) map[String(pick(SCALARS))] = next() < 0.05 ? undefined : generate(next, depth - 1, made);
  return made1(map);
}

describe("toYaml", () => {
  it("writes exactly yaml's stringify(v, { lineWidth: 0 }) for 2,000 generated documents", () => {
    const next = seededRandom(17);
    const mismatches: string[] = [];
    const delegatedBefore = yamlTextStats.delegated;
    for (let i = 0; i < 2000; i++) {
      const made: object[] = [];
      const doc = next() < 0.5 ? { root: generate(next, 4, made) } : [generate(next, 4, made), generate(next, 3, made)];
      if (toYaml(doc) !== yamlOf(doc)) mismatches.push(JSON.stringify(doc));
    }
    expect(mismatches.slice(0, 3)).toEqual([]);
    // Most documents must take the direct path, or this compares yaml with itself.
    expect(yamlTextStats.delegated - delegatedBefore).toBeLessThan(800);
  });

  it.each(SCALARS.map((s) => [(JSON.stringify(s) ?? String(s)).slice(0, 40), s]))("writes %s as a value, key and item as yaml does", (_, s) => {
    for (const doc of [{ k: s }, { [String(s)]: 1 }, { a: { [String(s)]: s } }, [s], [[s]], [{ k: [s] }]]) expect(toYaml(doc)).toBe(yamlOf(doc));
  });

  it("writes the edges yaml has rules for: empty collections, undefined, top-level document markers", () => {
    const cases: unknown[] = [{}, [], { a: {} , b: [] }, [{}, []], { a: undefined }, [undefined, null], { "--- x": 1, "...": { "---": 2 } }, [{ "---": 1 }]];
    for (const doc of cases) expect(toYaml(doc)).toBe(yamlOf(doc));
  });

  it("writes an object met twice as yaml does, anchor on the first (numbered by second meeting), aliases after", () => {
    const verbs = ["get", "list"];
    const empty = {};
    const inner = { x: 1 };
    const outer = { inner, y: [inner] };
    const circular: Record<string, unknown> = { name: "loop" };
    circular.self = circular;
    const cases: unknown[] = [
      { a: verbs, b: verbs, c: [verbs, verbs] }, { e: empty, f: [empty, { g: empty }] }, [outer, inner, outer], { b: [inner, outer], a: outer },
      { c: circular }, circular, [verbs, [verbs]],
    ];
    const before = yamlTextStats.delegated;
    for (const doc of cases) expect(toYaml(doc)).toBe(yamlOf(doc));
    expect(yamlTextStats.delegated).toBe(before);
  });

  it("hands yaml what it writes by other rules: class instances, Map, Date, toJSON, scalars", () => {
    const cases: unknown[] = [
      { when: new Date(0) }, { m: new Map([["k", 1]]) }, { j: { toJSON: () => "x" } }, { b: Buffer.from("hi") },
      { n: 10n }, "top-level string", 42, null, new (class Thing { x = 1 })(),
    ];
    const before = yamlTextStats.delegated;
    for (const doc of cases) expect(toYaml(doc)).toBe(yamlOf(doc));
    expect(yamlTextStats.delegated - before).toBe(cases.length);
  });

  it("decides plain-versus-quoted with yaml's own core schema tests (an upgrade that changes them fails here)", () => {
    const dist = dirname(require.resolve("yaml")); // yaml's exports map hides its internals from require("yaml/...")
    const core: { test?: RegExp; tag: string; default?: boolean }[] = require(join(dist, "schema/core/schema.js")).schema;
    const tests = core.filter((t) => t.default && t.tag !== "tag:yaml.org,2002:str" && t.test).map((t) => String(t.test));
    expect(NON_STRING_TESTS.map(String)).toEqual(tests);
    expect(JSON.parse(readFileSync(join(dist, "../package.json"), "utf8")).version).toBe("2.9.1");
  });

  describe("on the shipped environments", () => {
    const documents: [string, unknown][] = [];
    const bySynth = { written: 0, delegated: 0 };
    beforeAll(() => {
      // A synth of its own (the helper's memo may hand back one another test file made).
      const outdir = mkdtempSync(join(tmpdir(), "yaml-text-"));
      const before = { ...yamlTextStats };
      synthesize({ outdir });
      bySynth.written = yamlTextStats.written - before.written;
      bySynth.delegated = yamlTextStats.delegated - before.delegated;
      for (const env of ["sandbox", "dev", "prod"]) {
        const stack = JSON.parse(readFileSync(join(outdir, "stacks", env, "cdk.tf.json"), "utf8"));
        for (const [name, release] of Object.entries<any>(stack.resource?.helm_release ?? {})) {
          (release.values ?? []).forEach((v: string, i: number) => documents.push([`${env} helm_release.${name}.values[${i}]`, parse(v)]));
        }
        for (const file of readdirSync(join(outdir, "rendered", env)).filter((f) => f.endsWith(".yaml"))) {
          documents.push([`${env} ${file}`, parse(readFileSync(join(outdir, "rendered", env, file), "utf8"))]);
        }
      }
    });

    it("writes every Helm release's values and every rendered cloud-config (parsed back) as yaml does", () => {
      expect(documents.filter(([where]) => where.includes("helm_release")).length).toBeGreaterThan(20);
      expect(documents.filter(([where]) => where.endsWith(".cloud-config.yaml")).length).toBeGreaterThan(10);
      const differ = documents.filter(([, doc]) => toYaml(doc) !== yamlOf(doc)).map(([where]) => where);
      expect(differ).toEqual([]);
    });

    it("synthesizes them without handing one document to yaml (so synth never loads it)", () => {
      expect(bySynth.written).toBeGreaterThan(100);
      expect(bySynth.delegated).toBe(0);
    });
  });
});
