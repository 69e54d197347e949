import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allNodes } from "../../lib/config/pool-nodes";
import { writeRenderedCloudConfigs } from "../../lib/cluster/rendered-files";
import { FIXTURES, prodLike } from "./fixtures";

describe("reviewable rendered cloud-configs", () => {
  test.each(FIXTURES.map((e) => [e.name, e] as const))("%s: one file per node under <outdir>/rendered/<env>, secrets as placeholders", (_n, env) => {
    const outdir = mkdtempSync(join(tmpdir(), "rendered-"));
    const paths = writeRenderedCloudConfigs(outdir, env);
    const dir = join(outdir, "rendered", env.name);
    expect(readdirSync(dir).sort()).toEqual(allNodes(env).map((n) => `${n.name}.cloud-config.yaml`).sort());
    expect(paths).toHaveLength(allNodes(env).length);
    for (const p of paths) {
      const text = readFileSync(p, "utf8");
      expect(text).toContain("<secret:bootstrap-token>");
      expect(text).not.toMatch(/PRIVATE KEY|[a-z0-9]{6}\.[a-z0-9]{16}/);
    }
  });

  test("a removed node's file disappears on the next write", () => {
    const outdir = mkdtempSync(join(tmpdir(), "rendered-"));
    writeRenderedCloudConfigs(outdir, prodLike);
    const smaller = { ...prodLike, workers: prodLike.workers.slice(0, 1) };
    writeRenderedCloudConfigs(outdir, smaller);
    expect(readdirSync(join(outdir, "rendered", "prod"))).toHaveLength(allNodes(smaller).length);
  });
});
