/** The node scripts we render, checked by bash -n and shellcheck (what they do: bootstrap.test.ts, cert-renewal.test.ts). */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { itWithTool } from "../../tools";
import { allNodes } from "../../../lib/config/pool-nodes";
import type { EnvironmentConfig } from "../../../lib/config/types";
import { bootstrapScript } from "../../../lib/cluster/bootstrap-script";
import { CERT_RENEWAL_SCRIPT_PATH } from "../../../lib/cluster/cert-renewal";
import { renderCloudConfig } from "../../../lib/cluster/cloud-config";
import { placeholderSecrets } from "../../../lib/cluster/secrets";
import { prodLike } from "../../cluster/fixtures";

describe("node bootstrap script", () => {
  const path = join(mkdtempSync(join(tmpdir(), "bootstrap-")), "k8s-bootstrap");
  beforeAll(() => writeFileSync(path, bootstrapScript()));

  test("is valid bash", () => {
    expect(() => execFileSync("bash", ["-n", path])).not.toThrow();
  });

  itWithTool("shellcheck")("passes shellcheck", () => {
    const r = spawnSync("shellcheck", ["-S", "info", path], { encoding: "utf8" });
    expect(r.stdout).toBe("");
    expect(r.status).toBe(0);
  });
});

describe("certificate renewal in the cloud-config", () => {
  itWithTool("shellcheck")("the script passes shellcheck", () => {
    const env = prodLike as EnvironmentConfig;
    const doc = parse(renderCloudConfig(env, allNodes(env)[0], placeholderSecrets())) as { write_files: { path: string; content: string }[] };
    const path = join(mkdtempSync(join(tmpdir(), "cert-renewal-")), "k8s-cert-renewal");
    writeFileSync(path, doc.write_files.find((f) => f.path === CERT_RENEWAL_SCRIPT_PATH)!.content);
    const r = spawnSync("shellcheck", ["-S", "info", path], { encoding: "utf8" });
    expect(r.stdout).toBe("");
    expect(r.status).toBe(0);
  });
});
