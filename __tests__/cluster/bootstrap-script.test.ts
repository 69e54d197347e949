import { execFileSync, spawnSync } from "node:child_process";
import { itWithTool } from "../tools";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootstrapScript } from "../../lib/cluster/bootstrap-script";

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

  // What it does (init, joins in order, stale etcd members, refusals, bounds, secrets) is proven by
  // running it: __tests__/behaviour/bootstrap.test.ts. Here only what no run can show: no way around TLS.
  test("never skips certificate verification", () => {
    const s = bootstrapScript();
    expect(s).toContain('--cacert "$CA"');
    expect(s).not.toMatch(/curl[^\n]* -k |--insecure|unsafeSkipCAVerification|CERT_NONE|check_hostname = False/);
  });
});
