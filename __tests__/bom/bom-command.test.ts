import { runBom } from "../../lib/bom/bom-command";

/**
 * `npm run bom -- <args>` in-process: the command bom-cli.ts runs, with the repo's app (stacks/app.ts,
 * resolved from the working directory as the CLI does). The same cases through a real tsx process:
 * __tests__/behaviour/bom/bom-cli.test.ts.
 */
async function bom(...args: string[]) {
  let stdout = "";
  let stderr = "";
  const status = await runBom(["--app", "stacks/app.ts", ...args], {}, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { status, stdout, stderr };
}

describe("npm run bom (in-process)", () => {
  it("--env prod --format json prints prod's bill of materials", async () => {
    const r = await bom("--env", "prod", "--format", "json");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const parsed = JSON.parse(r.stdout) as { environment: string; images: { mirror: string }[] };
    expect(parsed.environment).toBe("prod");
    expect(parsed.images.every((i) => i.mirror.startsWith("gitlab.example.internal:5050/platform/mirror/"))).toBe(true);
  });

  it("mistakes are one line and exit code 2", async () => {
    const unknown = await bom("--env", "nope");
    expect([unknown.status, unknown.stdout]).toEqual([2, ""]);
    expect(unknown.stderr).toMatch(/^error: Bill of materials of nope: 1 problem\(s\)\n  - no environment named nope; the app has: sandbox, dev, prod\n$/);
    const format = await bom("--all", "--format", "yaml");
    expect([format.status, format.stderr]).toEqual([2, "error: --format yaml: not one of table, json, skopeo, helm, terraform\n"]);
  });

  it("an --app that cannot be loaded is a usage error naming the module", async () => {
    let stderr = "";
    const status = await runBom(["--app", "no/such/app.ts", "--all"], {}, { stdout: () => undefined, stderr: (t) => (stderr += t) });
    expect(status).toBe(2);
    expect(stderr).toMatch(/^error: cannot load --app no\/such\/app\.ts: /);
  });
});
