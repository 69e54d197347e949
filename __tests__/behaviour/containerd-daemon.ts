import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A private containerd (Debian's package) on a unix socket in a temp dir, with its own root and
 * state: it shares nothing with a containerd the machine may run. Needs root, like containerd.
 */
export interface ContainerdDaemon {
  readonly socket: string;
  /**
   * `ctr -a <socket> ...` with extra environment; resolves to status and combined output. Async: a
   * registry served from this very process must keep answering while ctr runs.
   */
  ctr(args: readonly string[], env?: Readonly<Record<string, string>>): Promise<{ status: number | null; output: string }>;
  stop(): Promise<void>;
}

export async function startContainerd(configToml: string): Promise<ContainerdDaemon> {
  const dir = mkdtempSync(join(tmpdir(), "containerd-"));
  const config = join(dir, "config.toml");
  writeFileSync(config, configToml);
  const socket = join(dir, "containerd.sock");
  let log = "";
  const daemon: ChildProcess = spawn(
    "containerd",
    ["--config", config, "--root", join(dir, "root"), "--state", join(dir, "state"), "--address", socket, "--log-level", "warn"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  daemon.stdout!.on("data", (d) => (log += d));
  daemon.stderr!.on("data", (d) => (log += d));
  const ctr = (args: readonly string[], env: Readonly<Record<string, string>> = {}) =>
    new Promise<{ status: number | null; output: string }>((resolve) => {
      const child = spawn("ctr", ["-a", socket, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env }, timeout: 60_000 });
      let output = "";
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      child.on("close", (status) => resolve({ status, output }));
    });
  for (let i = 0; (await ctr(["version"])).status !== 0; i++) {
    if (daemon.exitCode !== null || i > 100) {
      daemon.kill();
      throw new Error(`containerd did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    socket,
    ctr,
    stop: () =>
      new Promise<void>((resolve) => {
        const cleanUp = (): void => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (daemon.exitCode !== null) return cleanUp();
        daemon.once("exit", cleanUp);
        daemon.kill("SIGTERM");
      }),
  };
}
