/**
 * `npm run bench`: synth speed, in one process, as users feel it.
 *   1. the three shipped stacks (cold: includes loading cdktf and the provider bindings),
 *   2. prod with 10, 50 and 200 general workers, to get the cost of each additional VM.
 * Prints wall times, ms per additional VM and peak RSS. Numbers, not assertions: tests never time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

// As stacks/main.ts does: source-mapped stack traces for every cdktf token cost a third of synth.
process.setSourceMapsEnabled(false);
const started = performance.now();
// Loaded here, after the clock starts, so module load time is part of the first figure.
const { synthesize, environments } = require("./app") as typeof import("./app");
const loaded = performance.now();

function synthOnce(envs: readonly unknown[]): number {
  const outdir = mkdtempSync(join(tmpdir(), "cdktf-bench-"));
  const t0 = performance.now();
  synthesize({ outdir, environments: envs });
  const ms = performance.now() - t0;
  rmSync(outdir, { recursive: true, force: true });
  return ms;
}

/** prod with `workers` general nodes, addressed from a /22 so 200 nodes fit. */
function prodWith(workers: number): unknown {
  const env = JSON.parse(JSON.stringify(environments.prod));
  env.network.cidr = "10.20.28.0/22";
  const general = env.workers.find((p: { name: string }) => p.name === "general");
  general.count = workers;
  general.ips = Array.from({ length: workers }, (_, i) => `10.20.${29 + Math.floor(i / 250)}.${(i % 250) + 1}`);
  return env;
}

const three = synthOnce(Object.values(environments));
const coldTotal = performance.now() - started;
const warm = synthOnce(Object.values(environments));
const sizes = [10, 50, 200];
const times = sizes.map((n) => synthOnce([prodWith(n)]));
const perVm = (times[2] - times[0]) / (sizes[2] - sizes[0]);

const ms = (v: number) => `${v.toFixed(0)} ms`;
console.log(`module load (cdktf + providers):   ${ms(loaded - started)}`);
console.log(`3 default stacks, cold (load+synth): ${ms(coldTotal)}  (synth only ${ms(three)})`);
console.log(`3 default stacks, warm:             ${ms(warm)}`);
sizes.forEach((n, i) => console.log(`prod with ${String(n).padStart(3)} workers:            ${ms(times[i])}`));
console.log(`per additional VM:                  ${perVm.toFixed(2)} ms`);
console.log(`peak RSS:                           ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
