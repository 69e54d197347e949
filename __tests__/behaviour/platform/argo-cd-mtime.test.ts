import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeWithTool } from "../../tools";
import { environment } from "../../platform/fixtures";
import { synthPlatform } from "../../platform/synth";

const TERRAFORM = "/usr/local/bin/terraform";

/**
 * The synthesized admin-password-mtime block, run by real Terraform with a terraform_data stand-in for
 * random_password (providers cannot be downloaded here): the time is set once, survives later applies,
 * and changes when the password is replaced.
 */
describeWithTool(TERRAFORM, ["version"])("Argo CD admin password mtime under real Terraform", () => {
  const { json } = synthPlatform(environment("prod"));
  const [name, block] = Object.entries<any>(json.resource.terraform_data).find(([n]) => n.includes("admin-password-mtime"))!;
  const dir = mkdtempSync(join(tmpdir(), "argocd-mtime-"));
  const env = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
  const tf = (...args: string[]) => execFileSync(TERRAFORM, [`-chdir=${dir}`, ...args], { env, encoding: "utf8" });
  const write = (password: string) =>
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify({
      resource: {
        terraform_data: {
          password: { input: password },
          [name]: { input: block.input, lifecycle: { ...block.lifecycle, replace_triggered_by: ["terraform_data.password"] } },
        },
      },
      output: { mtime: { value: `\${terraform_data.${name}.output["time"]}` } },
    }));
  const applyAndRead = (password: string): string => {
    write(password);
    tf("apply", "-auto-approve", "-input=false", "-no-color");
    return JSON.parse(tf("output", "-json")).mtime.value;
  };

  it("keeps the time across applies and renews it with the password", () => {
    expect(block.lifecycle.replace_triggered_by).toHaveLength(1);
    write("first");
    tf("init", "-input=false", "-no-color");
    const first = applyAndRead("first");
    expect(first).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    execFileSync("sleep", ["1.1"]);
    expect(applyAndRead("first")).toBe(first);
    expect(applyAndRead("rotated")).not.toBe(first);
  });
});
