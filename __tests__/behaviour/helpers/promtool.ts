import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

/**
 * A rule file and its promtool unit tests in a temporary folder, as the alert-rule behaviour tests feed them to
 * the real Prometheus rule engine: `check()` runs `promtool check rules`, `test()` runs `promtool test rules`.
 */
export function promtoolRules(name: string, rules: unknown, unitTests: unknown) {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  writeFileSync(join(dir, "rules.yaml"), stringify(rules));
  writeFileSync(join(dir, "tests.yaml"), stringify(unitTests));
  return {
    /** promtool's report on the rule file (it names how many rules it found). */
    check: (): string => execFileSync("promtool", ["check", "rules", join(dir, "rules.yaml")], { encoding: "utf8" }),
    /** The unit tests' run: its exit status and everything it printed. */
    test: (): { status: number | null; output: string } => {
      const run = spawnSync("promtool", ["test", "rules", "tests.yaml"], { cwd: dir, encoding: "utf8" });
      return { status: run.status, output: `${run.stdout}${run.stderr}` };
    },
  };
}
