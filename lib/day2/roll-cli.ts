#!/usr/bin/env node
/**
 * roll: rebuilds a pool's nodes one at a time (drain, bump revision, synth, plan, gate, apply, wait,
 * uncordon), resumable; `roll drain` drains the nodes a pool scale-down will remove. Thin on purpose:
 * parse, wire the real Terraform and cluster API, call roll.ts.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError } from "../config/problems";
import { parseArgs, single, type ParsedArgs } from "../review/cli-args";
import { UserError, USAGE_EXIT_CODE } from "../review/user-error";
import { endpointFromKubeconfig, KubeApi } from "./kube-api";
import { roll, rollSteps, type RollOptions } from "./roll";
import { drainForScaleDown } from "./scale-down-drain";
import { runCommand, TerraformCli } from "./terraform-cli";
import { RollError } from "./wait";

const USAGE = `usage: k8s-roll --env <env> --pool <pool> [--node <node> ...] [options]
       roll drain --env <env> --pool <pool> --count <new count> [options]

  --env, --pool          the environment (stack) and the node pool to roll (control-plane, or a worker pool)
  --node <node>          only these nodes, in this order (repeatable; default: every node of the pool)
  --dry-run              print the nodes and steps, change nothing
  --kubeconfig <file>    admin kubeconfig (default: terraform output -raw kubeconfig of the stack)
  --synth-dir <dir>      cdktf output (default: cdktf.out); terraform runs in <dir>/stacks/<env>
  --revisions <file>     revision file to bump (default: stacks/revisions/<env>.json)
  --state <file>         progress, for resuming (default: .roll/<env>.json)
  --synth-command <cmd>  how to synthesize after a bump (default: npm run synth)
  --drain-timeout <s>    eviction retries while PodDisruptionBudgets refuse (default: 600)
  --ready-timeout <s>    wait for the rebuilt node to be Ready (default: 1200)
  --ceph-timeout <s>     wait for Ceph HEALTH_OK around storage nodes (default: 3600)
  --force                also evict pods no controller owns

drain: drains the nodes <env>-<pool>-<n> with n > --count, before the apply that removes them.
exit codes: 0 done, 1 stopped (the message says why; rerun to resume), 2 usage or input error`;

const FLAGS = {
  "--env": "value", "--pool": "value", "--node": "value", "--count": "value", "--kubeconfig": "value", "--synth-dir": "value",
  "--revisions": "value", "--state": "value", "--synth-command": "value", "--drain-timeout": "value", "--ready-timeout": "value",
  "--ceph-timeout": "value", "--dry-run": "switch", "--force": "switch", "--help": "switch",
} as const;

const POLL_MS = 5_000;

function seconds(args: ParsedArgs, flag: string, fallback: number): number {
  const text = single(args, flag);
  if (text === undefined) return fallback * 1000;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UserError(`${flag} expects seconds > 0, got "${text}"`);
  return n * 1000;
}

function required(args: ParsedArgs, flag: string): string {
  const value = single(args, flag);
  if (value === undefined) throw new UserError(`${flag} is required\n${USAGE}`);
  return value;
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS);
  if (args.switches.has("--help")) return process.stdout.write(USAGE + "\n"), 0;
  const [command, ...extra] = args.positional;
  if (extra.length > 0 || (command !== undefined && command !== "drain")) throw new UserError(`unexpected argument "${extra[0] ?? command}"\n${USAGE}`);
  const env = required(args, "--env");
  const pool = required(args, "--pool");
  const synthDir = single(args, "--synth-dir") ?? "cdktf.out";
  const terraform = new TerraformCli(join(synthDir, "stacks", env));
  const drain = { timeoutMs: seconds(args, "--drain-timeout", 600), pollMs: POLL_MS, force: args.switches.has("--force"), log };
  const kube = async () => {
    const file = single(args, "--kubeconfig");
    const text = file ? readFileSync(file, "utf8") : await terraform.output("kubeconfig");
    return new KubeApi(endpointFromKubeconfig(text, file ?? `terraform output kubeconfig of ${env}`));
  };

  if (command === "drain") {
    const countText = required(args, "--count");
    const count = Number(countText);
    if (!Number.isInteger(count) || count < 0) throw new UserError(`--count expects the pool's new node count, got "${countText}"`);
    const drained = await drainForScaleDown(await kube(), env, pool, count, drain);
    log(drained.length ? `drained ${drained.join(", ")}: apply the smaller count now` : `no node of ${env} pool ${pool} above ${count}: nothing to drain`);
    return 0;
  }

  const options: RollOptions = {
    env,
    pool,
    nodes: args.values.get("--node"),
    synthDir,
    revisionFile: single(args, "--revisions") ?? join("stacks", "revisions", `${env}.json`),
    stateFile: single(args, "--state") ?? join(".roll", `${env}.json`),
    // Absolute: terraform runs with -chdir, the roll deletes it after the apply (it holds every secret).
    planFile: resolve(synthDir, "stacks", env, "roll.tfplan"),
    drain,
    ready: { timeoutMs: seconds(args, "--ready-timeout", 1200), pollMs: POLL_MS },
    ceph: { timeoutMs: seconds(args, "--ceph-timeout", 3600), pollMs: POLL_MS },
  };
  if (args.switches.has("--dry-run")) return process.stdout.write(rollSteps(options).join("\n") + "\n"), 0;
  const synthCommand = single(args, "--synth-command") ?? "npm run synth";
  await roll(options, { kube: await kube(), terraform, synth: () => runCommand("sh", ["-c", synthCommand]).then(() => undefined), log });
  return 0;
}

function log(line: string): void {
  process.stdout.write(`roll: ${line}\n`);
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => {
    if (e instanceof UserError || e instanceof RollError || e instanceof ConfigError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = e instanceof RollError ? 1 : USAGE_EXIT_CODE;
      return;
    }
    throw e;
  },
);
