import { DefaultTokenResolver, Fn, Lazy, StringConcat, TerraformStack, TerraformVariable, Testing, Token, Tokenization } from "cdktf";
import { resolvePlain } from "../../lib/environment/plain-resolve";
import { seededRandom } from "../helpers/seeded-random";

const stack = new TerraformStack(Testing.app(), "s");
const text = new TerraformVariable(stack, "text", { type: "string" });
const list = new TerraformVariable(stack, "list", { type: "list(string)" });
const count = new TerraformVariable(stack, "count", { type: "number" });
const labels = new TerraformVariable(stack, "labels", { type: "map(string)" });

/** What TerraformStack.toTerraform does with every element (cdktf's own resolve). */
const cdktfResolve = (value: unknown) =>
  Tokenization.resolve(value, { scope: stack, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });

/** Nested `depth` maps of one-item lists deep (two path steps each), a token at the bottom. */
const nested = (depth: number): unknown => (depth === 0 ? { leaf: text.stringValue, gone: undefined } : { [`l${depth}`]: [nested(depth - 1)] });

/** Each made twice (once per resolver), so a value resolved by one is never seen by the other. */
const CASES: [string, () => unknown][] = [
  ["plain data, undefined dropped from objects and arrays", () => ({ a: 1, b: undefined, c: [1, undefined, "x", null, true, false], d: { e: {}, f: [] }, g: "" })],
  ["Terraform's own templates and escapes in plain strings", () => ["${var.x}", "$${x}", "%{ if a }b%{ endif }", "a}b{", "${a}${b}", "}{${", "{TfToken[x]}"]],
  ["text cdktf's number-token pattern matches", () => ({ exp: "1e5", version: "v1.2e+3", neg: "-1e-10", words: "one-e2e" })],
  ["string tokens, alone, in text and in functions", () => ({ ref: text.stringValue, inText: `x-${text.stringValue}-y`, fn: Fn.join(",", [text.stringValue, "a"]) })],
  ["list tokens, alone and as elements", () => ({ list: list.listValue, inArray: [...list.listValue], joined: Fn.join(",", list.listValue) })],
  ["number tokens, alone, among numbers and printed into text", () => ({ n: count.numberValue, among: [count.numberValue, 1, 2.5], printed: `n=${count.numberValue}` })],
  ["number list tokens", () => ({ numbers: Token.asNumberList(list.value), nested: [{ deeper: Token.asNumberList(list.value) }] })],
  ["map tokens as values and as keys", () => ({ strings: Token.asStringMap(labels.value), any: Token.asAnyMap(labels.value), key: { [Token.asString(text.stringValue)]: "v" } })],
  ["Lazy values and an object literal that is a token", () => ({ lazy: Lazy.stringValue({ produce: () => `lazy-${text.stringValue}` }), literal: { resolve: () => ({ x: text.stringValue, y: undefined }) } })],
  ["Dates and class instances", () => ({ date: new Date(0), instance: new (class Box { a = text.stringValue; b = undefined; c = [undefined] })() })],
  ["data nested deeper than the walk goes itself (cdktf takes over, within its own limit)", () => nested(60)],
];

describe("resolvePlain (EnvironmentStack.toTerraform's resolve)", () => {
  it.each(CASES)("%s: resolved as cdktf resolves it", (_, make) => {
    expect(resolvePlain(stack, make())).toStrictEqual(cdktfResolve(make()));
  });

  it("resolves 500 generated documents as cdktf does (plain values and tokens mixed at every depth)", () => {
    const leaves: (() => unknown)[] = [
      () => "plain",
      () => "${var.literal}",
      () => "1e9",
      () => undefined,
      () => null,
      () => 7,
      () => true,
      () => text.stringValue,
      () => `a ${text.stringValue} b`,
      () => list.listValue,
      () => count.numberValue,
      () => Token.asStringMap(labels.value),
      () => Fn.upper(text.stringValue),
    ];
    /** The same document (fresh tokens) each time for the same seed. */
    const documentOf = (seed: number): unknown => {
      const next = seededRandom(seed);
      const generate = (depth: number): unknown => {
        const r = next();
        if (depth === 0 || r < 0.4) return leaves[Math.floor(next() * leaves.length)]();
        const entries = Array.from({ length: Math.floor(next() * 4) }, (_, i) => [`k${i}`, generate(depth - 1)] as const);
        return r < 0.7 ? entries.map(([, v]) => v) : Object.fromEntries(entries);
      };
      return generate(5);
    };
    for (let seed = 1; seed <= 500; seed++) {
      expect([seed, resolvePlain(stack, documentOf(seed))]).toStrictEqual([seed, cdktfResolve(documentOf(seed))]);
    }
  });

  it("refuses what cdktf refuses, with cdktf's error (its path starts at the value handed to cdktf)", () => {
    const cyclic: Record<string, unknown> = { a: {} };
    (cyclic.a as Record<string, unknown>).b = cyclic;
    const errorOf = (resolve: () => unknown) => {
      try {
        resolve();
      } catch (e) {
        return (e as Error).message.replace(/'\/[^']*'/g, "<path>");
      }
      return "resolved";
    };
    for (const bad of [{ f: () => 1 }, cyclic, { s: Token.STRING_MAP_TOKEN_VALUE }, { c: stack }]) {
      const cdktfError = errorOf(() => cdktfResolve(bad));
      expect(cdktfError).not.toBe("resolved");
      expect(errorOf(() => resolvePlain(stack, bad))).toBe(cdktfError);
    }
  });
});
