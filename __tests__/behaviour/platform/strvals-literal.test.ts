import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { strvalsLiteral } from "../../../lib/platform/helm-addon";
import { describeWithTool } from "../../tools";

const TERRAFORM = "/usr/local/bin/terraform";
const TRICKY = "p@ss,word\\with=commas,and\\\\backslashes";

/**
 * Helm's strvals (what the helm provider applies to set_sensitive) splits at "," and treats "\" as an
 * escape: the escaped form, evaluated by real Terraform, must read back as the original value.
 */
describeWithTool(TERRAFORM, ["version"])("strvalsLiteral evaluated by Terraform", () => {
  let escaped: string;
  beforeAll(() => {
    const outdir = mkdtempSync(join(tmpdir(), "strvals-"));
    const app = new App({ outdir });
    const stack = new TerraformStack(app, "eval");
    new LocalBackend(stack, { path: "terraform.tfstate" });
    const secret = new TerraformVariable(stack, "secret", { type: "string", sensitive: true });
    new TerraformOutput(stack, "escaped", { value: strvalsLiteral(secret.stringValue), sensitive: true });
    app.synth();
    const dir = join(outdir, "stacks", "eval");
    const env = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", TF_VAR_secret: TRICKY };
    const tf = (...args: string[]) => execFileSync(TERRAFORM, [`-chdir=${dir}`, ...args], { env, encoding: "utf8" });
    tf("init", "-input=false", "-no-color");
    tf("apply", "-auto-approve", "-input=false", "-no-color");
    escaped = JSON.parse(tf("output", "-json")).escaped.value;
  });

  it("escapes every comma and backslash, and nothing else", () => {
    expect(escaped).toBe("p@ss\\,word\\\\with=commas\\,and\\\\\\\\backslashes");
  });

  it("reads back as the original value with strvals' rules (backslash takes the next character literally)", () => {
    let value = "";
    for (let i = 0; i < escaped.length; i++) {
      if (escaped[i] === ",") throw new Error(`unescaped comma at ${i}: strvals would split the value there`);
      value += escaped[i] === "\\" ? escaped[++i] : escaped[i];
    }
    expect(value).toBe(TRICKY);
  });
});
