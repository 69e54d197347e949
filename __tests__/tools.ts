import { spawnSync } from "node:child_process";

/**
 * Tests that need an external program (terraform, shellcheck, jq, cloud-init, containerd, etcd, ...).
 * Present: the test runs. Missing outside CI: the test is skipped, visibly (jest counts skips).
 * Missing with CI=true: the test FAILS, naming the tool, because .ci/run installs every tool and a
 * silent skip there would hide a regression.
 */
export function hasTool(command: string, versionArgs: readonly string[] = ["--version"]): boolean {
  return spawnSync(command, [...versionArgs], { stdio: "ignore" }).status === 0;
}

function missing(command: string): string {
  return `${command} is not installed: CI=true requires it (.ci/run installs it); install it or run outside CI to skip`;
}

/** `it` when the tool is there; otherwise a skip, or under CI=true a failing test. */
export function itWithTool(command: string, versionArgs?: readonly string[]): jest.It {
  if (hasTool(command, versionArgs)) return it;
  if (process.env.CI !== "true") return it.skip;
  return ((name: string) => it(name, () => { throw new Error(missing(command)); })) as unknown as jest.It;
}

/** `describe` when the tool is there; otherwise a skip, or under CI=true one failing test. */
export function describeWithTool(command: string, versionArgs?: readonly string[]): jest.Describe {
  return describeWithTools([[command, versionArgs]]);
}

/** describeWithTool for a suite that needs several tools: [command, version arguments] each. */
export function describeWithTools(tools: ReadonlyArray<readonly [command: string, versionArgs?: readonly string[]]>): jest.Describe {
  const absent = tools.filter(([command, args]) => !hasTool(command, args)).map(([command]) => command);
  if (absent.length === 0) return describe;
  if (process.env.CI !== "true") return describe.skip;
  return ((name: string) => describe(name, () => it(`needs ${absent.join(", ")}`, () => { throw new Error(missing(absent.join(", "))); }))) as unknown as jest.Describe;
}
