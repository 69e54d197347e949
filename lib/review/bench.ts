/**
 * Benchmark: plan-report on a plan of 1,000 resource changes (target: under 1 s).
 * The entries are copied from a REAL plan: Terraform plans a small terraform_data config (update,
 * replace, delete, create, sensitive update, a helm_release values update) in a temp dir, and those entries are cloned under new
 * names, with a matching cdk.tf.json carrying cdktf metadata paths. Needs `terraform` on PATH.
 * Run: npx tsx lib/review/bench.ts   (exit 1 when over the target)
 */
import { execFileSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { performance } from "perf_hooks";
import { asPlanJson, type PlanJson, type PlanResourceChange } from "./plan-json";
import { synthResources } from "./synth-resources";
import { buildStackReport } from "./plan-report";
import { planMarkdown } from "./plan-markdown";

const RESOURCES = 1000;
const TARGET_MS = 1000;

/** A real plan of five terraform_data changes of every kind. */
function realPlanEntries(): PlanResourceChange[] {
  const dir = mkdtempSync(join(tmpdir(), "plan-report-bench-"));
  const env = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" };
  const tf = (...args: string[]) => execFileSync("terraform", args, { cwd: dir, env, stdio: "pipe" });
  const config = (v: number) => ({
    variable: { secret: { type: "string", sensitive: true, default: `secret-${v}` } },
    resource: {
      terraform_data: {
        updated: { input: { cpus: v * 2, memory: 8192, labels: { pool: "workers" } } },
        replaced: { input: { cpus: 2 }, triggers_replace: [`template-${v}`] },
        sensitive: { input: { user: "admin", password: "${var.secret}" } },
        // Stands in for a helm_release (retyped below), so the values diff is part of the measurement.
        release: { input: { chart: "kube-prometheus-stack", namespace: "monitoring", values: [releaseValues(v)] } },
        ...(v === 1 ? { deleted: { input: "old" } } : { created: { input: "new" } }),
      },
    },
  });
  try {
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(config(1)));
    tf("init", "-input=false");
    tf("apply", "-auto-approve", "-input=false");
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(config(2)));
    tf("plan", "-input=false", "-out=plan.out");
    const plan = asPlanJson(JSON.parse(tf("show", "-json", "plan.out").toString()), "bench plan");
    if (typeof plan === "string") throw new Error(plan);
    return (plan.resource_changes ?? []).map((rc) => (rc.name === "release" ? asHelmRelease(rc) : rc));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** kube-prometheus-stack-like values: nested keys, a multi-line string and a long list. */
function releaseValues(v: number): string {
  const targets = Array.from({ length: 20 + v }, (_, i) => `    - target-${i}.example.internal:443`).join("\n");
  return `prometheus:\n  prometheusSpec:\n    retention: ${v * 15}d\nalertmanager:\n  tmpl: |\n    line one\n    line ${v}\nblackbox:\n  targets:\n${targets}\n`;
}

/** The terraform_data's input becomes the attributes of a helm_release. */
function asHelmRelease(rc: PlanResourceChange): PlanResourceChange {
  const input = (v: unknown) => (v && typeof v === "object" ? (v as Record<string, unknown>).input : v);
  return { ...rc, type: "helm_release", change: { ...rc.change, before: input(rc.change.before), after: input(rc.change.after) } };
}

/** 1,000 entries cloned from the real ones, spread over construct paths like the real stacks'. */
function syntheticPlan(entries: PlanResourceChange[]): { planText: string; synthText: string } {
  const groups = ["cluster/control-plane", "workers", "storage/osd", "platform/monitoring", "platform/rook-ceph", "cluster/pki"];
  const changes: PlanResourceChange[] = [];
  const resources: Record<string, Record<string, unknown>> = {};
  for (let i = 0; i < RESOURCES; i++) {
    const real = entries[i % entries.length];
    const path = `${groups[i % groups.length]}/node-${i}`;
    const name = `${path.replace(/\//g, "_")}_${(0x10000000 + i).toString(16).toUpperCase()}`;
    changes.push({ ...real, address: `${real.type}.${name}`, name });
    (resources[real.type] ??= {})[name] = { "//": { metadata: { path: `prod/${path}`, uniqueId: name } }, input: {} };
  }
  return {
    planText: JSON.stringify({ format_version: "1.2", resource_changes: changes }),
    synthText: JSON.stringify({ resource: resources }),
  };
}

function timeOnce(planText: string, synthText: string): { ms: number; markdownChars: number } {
  const start = performance.now();
  // Parsing is part of the cost the CLI pays, so it is inside the measurement.
  const plan = asPlanJson(JSON.parse(planText), "bench") as PlanJson;
  const synth = synthResources(JSON.parse(synthText));
  const report = buildStackReport({ stack: "prod", plan, synth });
  const markdown = planMarkdown([report], { overridden: false });
  return { ms: performance.now() - start, markdownChars: markdown.length };
}

function main(): number {
  const entries = realPlanEntries();
  const { planText, synthText } = syntheticPlan(entries);
  const cold = timeOnce(planText, synthText);
  const warm = Array.from({ length: 10 }, () => timeOnce(planText, synthText).ms).sort((a, b) => a - b);
  const median = warm[Math.floor(warm.length / 2)];
  process.stdout.write(
    `plan-report, ${RESOURCES} resource changes (${(planText.length / 1024).toFixed(0)} KiB plan JSON, ${entries.length} real entry shapes): ` +
      `first run ${cold.ms.toFixed(1)} ms, median of 10 ${median.toFixed(1)} ms, ${cold.markdownChars} chars of Markdown; target < ${TARGET_MS} ms\n`,
  );
  return cold.ms < TARGET_MS ? 0 : 1;
}

process.exitCode = main();
