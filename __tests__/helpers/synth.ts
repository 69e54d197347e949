import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
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

const synthesized = new Map<string, { outdir: string; app: App }>();

/**
 * Synthesizes environments with the real app builder into a temp dir. The same input (with the same
 * template manifest files and process environment, e.g. TF_VAR_* a secrets test sets) is synthesized
 * once per jest suite; each call parses its own copy of the stacks.
 */
export function synthEnvironments(environments?: readonly unknown[]): SynthResult {
  const key = JSON.stringify([environments ?? "shipped", manifestsOf(environments), process.env]);
  let done = synthesized.get(key);
  if (!done) {
    const outdir = mkdtempSync(join(tmpdir(), "cdktf-test-"));
    done = { outdir, app: synthesize({ outdir, environments }) };
    synthesized.set(key, done);
  }
  const stacks: Record<string, any> = {};
  for (const name of readdirSync(join(done.outdir, "stacks"))) {
    stacks[name] = JSON.parse(readFileSync(join(done.outdir, "stacks", name, "cdk.tf.json"), "utf8"));
  }
  return { ...done, stacks };
}

/** The Packer manifests the environments read at synth (their text: a test may rewrite one). */
function manifestsOf(environments?: readonly unknown[]): string[] {
  return (environments ?? []).flatMap((env: any) => {
    const path = env?.template?.manifest;
    return typeof path === "string" && existsSync(path) ? [readFileSync(path, "utf8")] : [];
  });
}

/** Resources of one type, keyed by their construct path below the stack (as reviewers see it). */
export function resourcesByPath(stack: any, type: string): Record<string, any> {
  const out: Record<string, any> = {};
  for (const resource of Object.values<any>(stack.resource?.[type] ?? {})) {
    out[pathBelowStack(resource["//"].metadata.path)] = resource;
  }
  return out;
}
