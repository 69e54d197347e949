#!/usr/bin/env node
/**
 * synth-diff: what the merge request changes in the synthesized Terraform, per stack, as Markdown.
 * Needs no credentials, providers or state: it compares two cdktf synth outputs. Thin on purpose.
 */
import { mkdirSync, writeFileSync } from "fs";
import { dirname } from "path";
import { parseArgs, single } from "./cli-args";
import { loadSynthDir, synthGitRef } from "./synth-sources";
import { diffSynth } from "./synth-diff";
import { synthDiffMarkdown } from "./synth-diff-markdown";
import { runCli } from "./run-cli";
import { UserError } from "./user-error";

const USAGE = `usage: synth-diff (--base-dir <dir> | --base-ref <git ref>) [options]

  --base-dir <dir>          synth output to compare against (contains stacks/<stack>/cdk.tf.json)
  --base-ref <ref>          git ref to synthesize in a temporary worktree and compare against
  --head-dir <dir>          synth output of the change (default: cdktf.out; run \`npm run synth\` first)
  --synth-command <cmd>     how to synthesize a ref (default: "npm run synth")
  --synth-out <dir>         where that command writes, relative to the repo root (default: cdktf.out)
  --stack <name>            only this stack (repeatable)
  --markdown <file>         also write the Markdown to this file
  --exit-code               exit 1 when anything differs (like \`git diff --exit-code\`)`;

function main(argv: readonly string[]): number {
  const args = parseArgs(argv, {
    "--base-dir": "value",
    "--base-ref": "value",
    "--head-dir": "value",
    "--synth-command": "value",
    "--synth-out": "value",
    "--stack": "value",
    "--markdown": "value",
    "--exit-code": "switch",
    "--help": "switch",
  });
  if (args.switches.has("--help")) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  if (args.positional.length > 0) throw new UserError(`unexpected argument "${args.positional[0]}"\n${USAGE}`);
  const baseDir = single(args, "--base-dir");
  const baseRef = single(args, "--base-ref");
  if ((baseDir === undefined) === (baseRef === undefined)) throw new UserError(`give exactly one of --base-dir or --base-ref\n${USAGE}`);

  const head = loadSynthDir(single(args, "--head-dir") ?? "cdktf.out");
  const base = baseDir
    ? loadSynthDir(baseDir)
    : synthGitRef({
        repoDir: ".",
        ref: baseRef as string,
        synthCommand: single(args, "--synth-command") ?? "npm run synth",
        outDir: single(args, "--synth-out") ?? "cdktf.out",
      });
  const only = args.values.get("--stack");
  const pick = (m: Map<string, unknown>) => (only ? new Map([...m].filter(([k]) => only.includes(k))) : m);
  const diffs = diffSynth(pick(base), pick(head));
  const markdown = synthDiffMarkdown(diffs, baseDir ? `\`${baseDir}\`` : `\`${baseRef}\``);
  const out = single(args, "--markdown");
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, markdown);
  }
  process.stdout.write(markdown);
  return args.switches.has("--exit-code") && diffs.some((d) => d.status !== "unchanged") ? 1 : 0;
}

runCli(() => main(process.argv.slice(2)));
