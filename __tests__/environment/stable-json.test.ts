import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Annotations, App, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { stableJson, StableJsonSynthesizer } from "../../lib/environment/stable-json";
import { synthEnvironments } from "../helpers/synth";
import { seededRandom } from "../helpers/seeded-random";

/** The writer cdktf 0.21 writes cdk.tf.json with: its own dependency, json-stable-stringify 1.3.0. */
const cdktfStringify: (value: unknown, options: { space: number }) => string | undefined = require(
  require.resolve("json-stable-stringify", { paths: [dirname(require.resolve("cdktf"))] }),
);
const cdktfText = (value: unknown) => cdktfStringify(value, { space: 2 });

const STRINGS = ["", "a", "é", "B", "b", "10", "9", "_", " ", "quote\"", "back\\slash", "new\nline", "tab\t", "\u0000", "\u2028", "🙂", "lone\ud800", "${var.x}"];
const NUMBERS = [0, -0, 1, -1.5, 1e21, 5e-7, 2 ** 53 + 1, NaN, Infinity, -Infinity];
const SCALARS: unknown[] = [...STRINGS, ...NUMBERS, true, false, null, undefined, () => 1];

describe("stableJson (cdk.tf.json's writer)", () => {
  it.each<[string, unknown]>([
    ["empty collections, top level and nested (written over two lines)", { a: [], b: {}, c: [[], {}], d: { e: { f: [] } } }],
    ["undefined and functions: dropped from objects, null in arrays", { a: undefined, b: () => 1, c: [undefined, () => 1, 1] }],
    ["key order: code units, digits as text, non-ASCII last", Object.fromEntries(STRINGS.map((k, i) => [k, i]))],
    ["every scalar as a value and as an array item", { values: Object.fromEntries(SCALARS.map((v, i) => [`k${i}`, v])), items: SCALARS }],
    ["toJSON at any depth (a Date), and one giving nothing", { at: new Date(0), nested: [{ at: new Date(86_400_000) }], custom: { toJSON: () => ({ z: 1, a: [] }) }, none: { toJSON: () => undefined }, items: [{ toJSON: () => undefined }] }],
    ["multi-byte text larger than the writer's first buffer", "é🙂".repeat(300_000)],
    ["a document larger than the writer's first buffer", { list: Array.from({ length: 50_000 }, (_, i) => ({ [`k${i % 7}`]: "ü".repeat(i % 13) })), text: "é🙂\u2028".repeat(200_000) }],
    ["top-level scalars", "text"],
    ["top-level null", null],
    ["top-level array", [1, [2, [3, []]]]],
  ])("%s: as cdktf's writer", (_, value) => {
    expect(stableJson(value)).toBe(cdktfText(value));
  });

  it("top-level undefined gives no text, as cdktf's writer", () => {
    expect(stableJson(undefined)).toBe(cdktfText(undefined));
    expect(stableJson(undefined)).toBeUndefined();
  });

  it("refuses a cyclic object as cdktf's writer does", () => {
    const cyclic: Record<string, unknown> = { a: { b: 1 } };
    (cyclic.a as Record<string, unknown>).self = cyclic;
    expect(() => cdktfText(cyclic)).toThrow(TypeError);
    expect(() => stableJson(cyclic)).toThrow(TypeError);
  });

  it("writes 2,000 generated documents as cdktf's writer", () => {
    const next = seededRandom(41);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
    const generate = (depth: number): unknown => {
      const r = next();
      if (depth === 0 || r < 0.4) return pick(SCALARS);
      const entries = Array.from({ length: Math.floor(next() * 5) }, () => [pick(STRINGS), generate(depth - 1)] as const);
      return r < 0.7 ? entries.map(([, v]) => v) : Object.fromEntries(entries);
    };
    for (let i = 0; i < 2000; i++) {
      const doc = generate(6);
      expect([i, stableJson(doc)]).toEqual([i, cdktfText(doc)]);
    }
  });

  it("writes the shipped stacks' cdk.tf.json as cdktf's writer", () => {
    const { outdir } = synthEnvironments();
    for (const env of ["sandbox", "dev", "prod"]) {
      const text = readFileSync(join(outdir, "stacks", env, "cdk.tf.json"), "utf8");
      const parsed = JSON.parse(text);
      expect([env, stableJson(parsed) === cdktfText(parsed), stableJson(parsed) === text]).toEqual([env, true, true]);
    }
  });
});

describe("StableJsonSynthesizer", () => {
  const synthOf = (build: (stack: TerraformStack) => void) => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), "stable-json-")), stackTraces: false });
    const stack = new TerraformStack(app, "lab");
    stack.synthesizer = new StableJsonSynthesizer(stack, stack.synthesizer);
    build(stack);
    return { app, stack, file: join(app.outdir, "stacks", "lab", "cdk.tf.json") };
  };

  it("keeps cdktf's synth (validations, manifest) and writes the document cdktf would, byte for byte", () => {
    const { app, stack, file } = synthOf((stack) => {
      const size = new TerraformVariable(stack, "size", { type: "number", default: 3 });
      new TerraformOutput(stack, "size-out", { value: size.numberValue });
    });
    app.synth();
    expect(readFileSync(file, "utf8")).toBe(cdktfText(stack.toTerraform()));
    expect(JSON.parse(readFileSync(join(app.outdir, "manifest.json"), "utf8")).stacks.lab.synthesizedStackPath).toBe("stacks/lab/cdk.tf.json");
    // The stack's own toTerraform again afterwards, not the stand-in of cdktf's run.
    expect(Object.prototype.hasOwnProperty.call(stack, "toTerraform")).toBe(false);
  });

  it("an error annotation stops the synth with cdktf's error, and no cdk.tf.json is written", () => {
    const { app, stack, file } = synthOf((stack) => Annotations.of(stack).addError("the consumer's own check failed"));
    expect(() => app.synth()).toThrow(/the consumer's own check failed/);
    expect(existsSync(file)).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(stack, "toTerraform")).toBe(false);
  });
});
