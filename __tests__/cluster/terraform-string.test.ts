import { DefaultTokenResolver, Fn, StringConcat, TerraformLocal, TerraformStack, TerraformVariable, Testing, Tokenization } from "cdktf";
import { base64gzip, terraformString } from "../../lib/cluster/terraform-string";

const stack = new TerraformStack(Testing.app(), "s");
const key = new TerraformVariable(stack, "key", { type: "string", sensitive: true }).stringValue;
const cert = new TerraformVariable(stack, "cert", { type: "string" }).stringValue;

const resolve = (value: unknown) => Tokenization.resolve(value, { scope: stack, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });

/** What terraformString built before (and still builds when a value is not a single token): cdktf's own join. */
function cdktfJoin(text: string, values: Record<string, string>): string {
  const b64 = (s: string) => Fn.base64decode(Buffer.from(s, "utf8").toString("base64"));
  const pattern = new RegExp(Object.keys(values).join("|"), "g");
  const parts: string[] = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index! > last) parts.push(b64(text.slice(last, match.index)));
    parts.push(values[match[0]]);
    last = match.index! + match[0].length;
  }
  if (last < text.length) parts.push(b64(text.slice(last)));
  return Fn.join("", parts);
}

const TEXT = 'a: <key>\nb: "${HOME}" %{ if x } \\ <cert>\n<key><cert>é🙂 end\n';

describe("terraformString", () => {
  it.each<[string, Record<string, string>]>([
    ["references", { "<key>": key, "<cert>": cert }],
    ["function calls of references", { "<key>": Fn.base64encode(key), "<cert>": Fn.replace(cert, "\n", "") }],
    ["a local's reference", { "<key>": new TerraformLocal(stack, "k", key).asString, "<cert>": cert }],
  ])("with %s: resolves to cdktf's own join, alone and wherever it is used", (_, values) => {
    const ours = terraformString(TEXT, values);
    const theirs = cdktfJoin(TEXT, values);
    for (const use of [(t: string) => t, Fn.base64gzip, (t: string) => Fn.replace(t, "<node>", "n1"), (t: string) => [t, "x"], (t: string) => ({ data: t })]) {
      expect(resolve(use(ours))).toStrictEqual(resolve(use(theirs)));
    }
    expect(resolve(ours)).toMatch(/^\$\{join\("", \[base64decode\("/);
  });

  it("a value that is not a single token (text around a reference, a plain string) goes through cdktf's join", () => {
    const values = { "<key>": `pre-${key}`, "<cert>": "plain" };
    expect(resolve(terraformString(TEXT, values))).toBe(resolve(cdktfJoin(TEXT, values)));
  });

  it("text without values is one base64decode", () => {
    expect(resolve(terraformString("x ${y}", {}))).toBe(`\${base64decode("${Buffer.from("x ${y}").toString("base64")}")}`);
  });
});

describe("base64gzip", () => {
  const values = { "<key>": key, "<cert>": Fn.base64encode(cert) };

  it("of terraformString's token: one token, resolving to cdktf's base64gzip of cdktf's join, alone and wherever it is used", () => {
    const ours = base64gzip(terraformString(TEXT, values));
    expect(Tokenization.reverseString(ours).tokens).toHaveLength(1);
    const theirs = Fn.base64gzip(cdktfJoin(TEXT, values));
    for (const use of [(t: string) => t, (t: string) => Fn.replace(t, "=", ""), (t: string) => [t, "x"], (t: string) => ({ data: t })]) {
      expect(resolve(use(ours))).toStrictEqual(resolve(use(theirs)));
    }
    expect(resolve(ours)).toMatch(/^\$\{base64gzip\(join\("", \[base64decode\("/);
  });

  it.each<[string, () => string]>([
    ["a plain string", () => "text"],
    ["a reference", () => key],
    ["cdktf's join (a value that is not a single token)", () => terraformString(TEXT, { "<key>": `pre-${key}`, "<cert>": "plain" })],
    ["a function of terraformString's token", () => Fn.replace(terraformString(TEXT, values), "<node>", "n1")],
    ["its own result", () => base64gzip(terraformString(TEXT, values))],
  ])("of %s: cdktf's Fn.base64gzip", (_, value) => {
    expect(resolve(base64gzip(value()))).toBe(resolve(Fn.base64gzip(value())));
  });
});
