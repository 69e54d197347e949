import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { App } from "cdktf";
import { pathBelowStack } from "../../lib/review/synth-resources";
import { synthesize } from "../../stacks/app";

export interface SynthResult {
  readonly outdir: string;
  /** Parsed cdk.tf.json per stack name. */
  readonly stacks: Record<string, any>;
  /** The construct tree (what JSON cannot show, e.g. two constructs writing the same variable). */
  readonly app: App;
}

/** Synthesizes environments with the real app builder into a fresh temp dir. */
export function synthEnvironments(environments?: readonly unknown[]): SynthResult {
  const outdir = mkdtempSync(join(tmpdir(), "cdktf-test-"));
  const app = synthesize({ outdir, environments });
  const stacks: Record<string, any> = {};
  for (const name of readdirSync(join(outdir, "stacks"))) {
    stacks[name] = JSON.parse(readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8"));
  }
  return { outdir, stacks, app };
}

/** Resources of one type, keyed by their construct path below the stack (as reviewers see it). */
export function resourcesByPath(stack: any, type: string): Record<string, any> {
  const out: Record<string, any> = {};
  for (const resource of Object.values<any>(stack.resource?.[type] ?? {})) {
    out[pathBelowStack(resource["//"].metadata.path)] = resource;
  }
  return out;
}
