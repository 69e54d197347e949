import { spawnSync } from "node:child_process";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..", "..");

/** `npm run bom -- <args>`, as the README runs it (tsx, the repo's app). */
function bom(...args: string[]) {
  const r = spawnSync(join(ROOT, "node_modules", ".bin", "tsx"), ["lib/bom/bom-cli.ts", "--app", "stacks/app.ts", ...args], { cwd: ROOT, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("npm run bom", () => {
  it("--env prod --format json prints prod's bill of materials", () => {
    const r = bom("--env", "prod", "--format", "json");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const parsed = JSON.parse(r.stdout) as { environment: string; images: { mirror: string }[] };
    expect(parsed.environment).toBe("prod");
    expect(parsed.images.every((i) => i.mirror.startsWith("gitlab.example.internal:5050/platform/mirror/"))).toBe(true);
  }, 120_000);

  it("mistakes are one line and exit code 2", () => {
    const unknown = bom("--env", "nope");
    expect([unknown.status, unknown.stdout]).toEqual([2, ""]);
    expect(unknown.stderr).toMatch(/^error: Bill of materials of nope: 1 problem\(s\)\n  - no environment named nope; the app has: sandbox, dev, prod\n$/);
    const format = bom("--all", "--format", "yaml");
    expect([format.status, format.stderr]).toEqual([2, "error: --format yaml: not one of table, json, skopeo, helm, terraform\n"]);
  }, 120_000);
});
