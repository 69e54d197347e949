import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/**
 * Synthesizing needs Node only (README's quick start): no Terraform, no vCenter. cdktf would otherwise
 * run `terraform version` for every terraform_data at synth and fail without it (lib/cluster/terraform-data.ts).
 */
describe("synth on a machine without Terraform", () => {
  it("writes the three stacks with only node on PATH", () => {
    const root = resolve(__dirname, "../../..");
    const bin = mkdtempSync(join(tmpdir(), "node-only-"));
    symlinkSync(process.execPath, join(bin, "node"));
    const cwd = mkdtempSync(join(tmpdir(), "synth-no-tf-"));
    execFileSync(process.execPath, [join(root, "node_modules/.bin/tsx"), join(root, "stacks/main.ts")], {
      cwd,
      stdio: "pipe",
      env: { ...process.env, PATH: bin },
    });
    for (const env of ["sandbox", "dev", "prod"]) expect(existsSync(join(cwd, "cdktf.out/stacks", env, "cdk.tf.json"))).toBe(true);
  });
});
