import { execSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync, rmSync, existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthesize } from "../../../stacks/app";

const root = join(__dirname, "../../..");

/**
 * cdktf.json's app command (and `npm run synth`) runs the app precompiled by stacks/run.js, not through tsx:
 * on a fresh build folder (a fresh clone) it must transpile everything and write exactly what the app writes
 * run from TypeScript; later runs transpile only what changed.
 */
describe("stacks/run.js: the precompiled app", () => {
  // Inside the repo, as .synth-build is: the JavaScript finds node_modules and the repo (package.json) upwards.
  mkdirSync(join(root, ".synth-build"), { recursive: true });
  const build = mkdtempSync(join(root, ".synth-build", "test-"));
  const run = (cwd: string) => {
    const { app } = JSON.parse(readFileSync(join(root, "cdktf.json"), "utf8")) as { app: string };
    expect(app).toBe("node stacks/run.js");
    execSync(`node ${join(root, "stacks/run.js")}`, { cwd, stdio: "pipe", env: { ...process.env, SYNTH_BUILD_DIR: build } });
  };
  afterAll(() => rmSync(build, { recursive: true, force: true }));

  it("from an empty build folder writes the three stacks and rendered files byte-identical to the TypeScript app", () => {
    const cwd = mkdtempSync(join(tmpdir(), "cdktf-run-"));
    run(cwd);
    const reference = mkdtempSync(join(tmpdir(), "cdktf-ts-"));
    synthesize({ outdir: reference });
    for (const env of ["sandbox", "dev", "prod"]) {
      const file = `stacks/${env}/cdk.tf.json`;
      expect([file, readFileSync(join(cwd, "cdktf.out", file), "utf8") === readFileSync(join(reference, file), "utf8")]).toEqual([file, true]);
    }
    const node = "rendered/prod/prod-general-1.cloud-config.yaml";
    expect(readFileSync(join(cwd, "cdktf.out", node), "utf8")).toBe(readFileSync(join(reference, node), "utf8"));
  });

  it("transpiles again only a source newer than its JavaScript, and drops JavaScript whose source is gone", () => {
    const js = (f: string) => join(build, f);
    const upToDate = statSync(js("lib/index.js")).mtimeMs;
    const app = statSync(join(root, "stacks/app.ts"));
    utimesSync(js("stacks/app.js"), new Date(app.mtimeMs - 1000), new Date(app.mtimeMs - 1000));
    mkdirSync(js("lib/gone"), { recursive: true });
    writeFileSync(js("lib/gone/orphan.js"), "throw new Error('stale');\n");
    (require("../../../stacks/run.js") as { build: (out: string) => void }).build(build);
    expect(statSync(js("stacks/app.js")).mtimeMs).toBeGreaterThanOrEqual(app.mtimeMs);
    expect(statSync(js("lib/index.js")).mtimeMs).toBe(upToDate);
    expect(existsSync(js("lib/gone/orphan.js"))).toBe(false);
  });
});
