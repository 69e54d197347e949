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

  test("is idempotent and bounded: guard on kubelet.conf, join deadline, one GIVING UP line", () => {
    const s = bootstrapScript();
    expect(s).toMatch(/if \[ -f \/etc\/kubernetes\/kubelet.conf \]; then[\s\S]*?exit 0/);
    expect(s).toContain('deadline=$((SECONDS + JOIN_TIMEOUT_SECONDS))');
    expect(s).toContain('die() { log "GIVING UP: $*"; exit 1; }');
    expect(s).toContain('--cacert "$CA"');
    expect(s).not.toMatch(/curl[^\n]* -k |--insecure|unsafeSkipCAVerification/);
  });
});
