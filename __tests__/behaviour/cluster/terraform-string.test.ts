import { execFileSync } from "node:child_process";
import { describeWithTool } from "../../tools";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { App, Fn, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { allNodes } from "../../../lib/config/pool-nodes";
import { renderCloudConfig } from "../../../lib/cluster/cloud-config";
import { encryptionKeyPlaceholder, placeholderFor, placeholderSecrets, SECRET_NAMES, type SecretName } from "../../../lib/cluster/secrets";
import { terraformString } from "../../../lib/cluster/terraform-string";
import { prodLike } from "../../cluster/fixtures";

const TERRAFORM = "/usr/local/bin/terraform";
const TRICKY = 'literal ${HOME} %{ if x } $${y} %%{z} "quoted" \\ back\\slash \\n \'single\' ${{ }}\n<secret:bootstrap-token> end';

/** Values Terraform receives only through TF_VAR_* (never in cdk.tf.json). PEM-ish with newlines. */
const VALUES: Record<SecretName, string> = Object.fromEntries(
  SECRET_NAMES.map((n, i) => [n, n === "bootstrapToken" ? "k3x9q1.7m2p0z8r4t6v1w3y" : Buffer.from(`-----BEGIN KEY ${i}-----\nsecret-${n}-Zq${i}\n-----END KEY-----\n`).toString("base64")]),
) as Record<SecretName, string>;

/** Every secret a control-plane cloud-config carries: the fixed ones and the Secret encryption key. */
const ALL: readonly { placeholder: string; variable: string; value: string }[] = [
  ...SECRET_NAMES.map((n) => ({ placeholder: placeholderFor(n), variable: n, value: VALUES[n] })),
  { placeholder: encryptionKeyPlaceholder("key1"), variable: "encryption_key_key1", value: Buffer.from("32-byte-encryption-key-Zq9-value").toString("base64") },
];

const substitute = (text: string): string => ALL.reduce((t, s) => t.split(s.placeholder).join(s.value), text);

/**
 * The real Terraform CLI evaluates what cdktf synthesized: the user-data Terraform computes equals the
 * reviewable rendering with each placeholder replaced by its value, byte for byte, also after the
 * base64gzip the node pool applies.
 */
describeWithTool(TERRAFORM, ["version"])("terraformString evaluated by Terraform", () => {
  const node = allNodes(prodLike)[0];
  const rendered = renderCloudConfig(prodLike, node, placeholderSecrets());
  let outputs: Record<string, { value: string }>;
  let synthesized: string;

  beforeAll(() => {
    const outdir = mkdtempSync(join(tmpdir(), "tfstring-"));
    const app = new App({ outdir });
    const stack = new TerraformStack(app, "eval");
    new LocalBackend(stack, { path: "terraform.tfstate" });
    const vars = Object.fromEntries(ALL.map((s) => [s.placeholder, new TerraformVariable(stack, s.variable, { type: "string", sensitive: true }).stringValue]));
    const userData = terraformString(rendered, vars);
    new TerraformOutput(stack, "plain", { value: userData, sensitive: true });
    new TerraformOutput(stack, "gzip", { value: Fn.base64gzip(userData), sensitive: true });
    new TerraformOutput(stack, "tricky", { value: terraformString(TRICKY, { [placeholderFor("bootstrapToken")]: vars[placeholderFor("bootstrapToken")] }), sensitive: true });
    app.synth();
    const dir = join(outdir, "stacks", "eval");
    synthesized = readFileSync(join(dir, "cdk.tf.json"), "utf8");
    const env = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", ...Object.fromEntries(ALL.map((s) => [`TF_VAR_${s.variable}`, s.value])) };
    const tf = (...args: string[]) => execFileSync(TERRAFORM, [`-chdir=${dir}`, ...args], { env, encoding: "utf8" });
    tf("init", "-input=false", "-no-color");
    tf("apply", "-auto-approve", "-input=false", "-no-color");
    outputs = JSON.parse(tf("output", "-json"));
  });

  test("user-data equals the placeholder rendering with the values substituted", () => {
    expect(rendered).toContain(encryptionKeyPlaceholder("key1"));
    expect(outputs.plain.value).toBe(substitute(rendered));
  });

  test("base64gzip (what the node pool writes to guestinfo.userdata) decodes to the same text", () => {
    expect(gunzipSync(Buffer.from(outputs.gzip.value, "base64")).toString("utf8")).toBe(substitute(rendered));
  });

  test("literal ${, %{, quotes and backslashes survive untouched", () => {
    expect(outputs.tricky.value).toBe(TRICKY.replace(placeholderFor("bootstrapToken"), VALUES.bootstrapToken));
  });

  test("the synthesized JSON holds none of the values", () => {
    for (const s of ALL) expect(synthesized).not.toContain(s.value);
  });
});
