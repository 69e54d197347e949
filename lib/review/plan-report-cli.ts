#!/usr/bin/env node
/**
 * plan-report: turns `terraform show -json` output of one or more stacks into GitLab's terraform
 * report and a Markdown MR note, and refuses (exit 1) plans with a dangerous blast radius.
 * Thin on purpose: parse, call pure functions, write, exit. The logic lives in plan-report.ts.
 */
import { mkdirSync, writeFileSync } from "fs";
import { dirname, join } from "path";
import { parseArgs, single, stackAssignment } from "./cli-args";
import { readJsonFile } from "./read-json-file";
import { asPlanJson } from "./plan-json";
import { synthResources } from "./synth-resources";
import { buildStackReport } from "./plan-report";
import { planMarkdown } from "./plan-markdown";
import { sumReports } from "./gitlab-report";
import { OVERRIDE_ENV, OVERRIDE_FLAG, overrideFromEnv, refusalMessage } from "./blast-radius";
import { runCli } from "./run-cli";
import { UserError } from "./user-error";

const USAGE = `usage: plan-report --plan <stack>=<plan.json> [--plan ...] [options]

  --plan <stack>=<file>     output of \`terraform show -json plan.out\` for that stack (repeatable)
  --synth-dir <dir>         cdktf synth output; reads <dir>/stacks/<stack>/cdk.tf.json (default: cdktf.out)
  --base-synth-dir <dir>    synth of the base branch, to name resources the plan deletes (optional)
  --report <file>           GitLab terraform report ({"create","update","delete"}), all stacks summed
  --report-dir <dir>        one GitLab terraform report per stack: <dir>/<stack>.tfreport.json
  --markdown <file>         the Markdown note (it is always printed to stdout too)
  ${OVERRIDE_FLAG}       accept a dangerous blast radius (or set ${OVERRIDE_ENV}=1)

exit codes: 0 ok, 1 refused (dangerous blast radius), 2 usage or input error`;

function main(argv: readonly string[], env: NodeJS.ProcessEnv): number {
  const args = parseArgs(argv, {
    "--plan": "value",
    "--synth-dir": "value",
    "--base-synth-dir": "value",
    "--report": "value",
    "--report-dir": "value",
    "--markdown": "value",
    [OVERRIDE_FLAG]: "switch",
    "--help": "switch",
  });
  if (args.switches.has("--help")) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  if (args.positional.length > 0) throw new UserError(`unexpected argument "${args.positional[0]}"\n${USAGE}`);
  const plans = (args.values.get("--plan") ?? []).map((v) => stackAssignment("--plan", v));
  if (plans.length === 0) throw new UserError(`give at least one --plan <stack>=<plan.json>\n${USAGE}`);

  const synthDir = single(args, "--synth-dir") ?? "cdktf.out";
  const baseSynthDir = single(args, "--base-synth-dir");
  const stacks = plans.map(([stack, planFile]) => {
    const plan = asPlanJson(readJsonFile(planFile, "the output of `terraform show -json plan.out`"), planFile);
    if (typeof plan === "string") throw new UserError(plan);
    const synthFile = join(synthDir, "stacks", stack, "cdk.tf.json");
    const synth = synthResources(readJsonFile(synthFile, `the cdktf synth of stack "${stack}" (run \`npm run synth\` first)`));
    const baseSynth = baseSynthDir
      ? synthResources(readJsonFile(join(baseSynthDir, "stacks", stack, "cdk.tf.json"), `the base synth of stack "${stack}"`))
      : undefined;
    return buildStackReport({ stack, plan, synth, baseSynth });
  });

  for (const w of stacks.flatMap((s) => s.warnings)) process.stderr.write(`warning: ${w}\n`);
  const overridden = args.switches.has(OVERRIDE_FLAG) || overrideFromEnv(env);
  const markdown = planMarkdown(stacks, { overridden });
  const reportFile = single(args, "--report");
  if (reportFile) writeOut(reportFile, JSON.stringify(sumReports(stacks.map((s) => s.report))) + "\n");
  const reportDir = single(args, "--report-dir");
  if (reportDir) for (const s of stacks) writeOut(join(reportDir, `${s.stack}.tfreport.json`), JSON.stringify(s.report) + "\n");
  const markdownFile = single(args, "--markdown");
  if (markdownFile) writeOut(markdownFile, markdown);
  process.stdout.write(markdown);

  const violations = stacks.flatMap((s) => s.violations);
  if (violations.length === 0) return 0;
  if (overridden) {
    process.stderr.write(`warning: dangerous blast radius accepted by override\n${refusalMessage(violations)}\n`);
    return 0;
  }
  process.stderr.write(refusalMessage(violations) + "\n");
  return 1;
}

function writeOut(file: string, text: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  } catch (e) {
    throw new UserError(`cannot write ${file}: ${(e as Error).message}`);
  }
}

runCli(() => main(process.argv.slice(2), process.env));
