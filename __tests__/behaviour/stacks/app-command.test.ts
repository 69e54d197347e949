import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "../../..");

/** The app as cdktf.json runs it: a real process through tsx, writing cdktf.out in its working directory. */
describe("the app command", () => {
  it("runs as the cdktf app command (tsx stacks/main.ts) and writes the three stacks", () => {
    const cwd = mkdtempSync(join(tmpdir(), "cdktf-main-"));
    execFileSync(join(root, "node_modules/.bin/tsx"), [join(root, "stacks/main.ts")], { cwd, stdio: "pipe" });
    for (const env of ["sandbox", "dev", "prod"]) expect(existsSync(join(cwd, "cdktf.out/stacks", env, "cdk.tf.json"))).toBe(true);
  });
});
