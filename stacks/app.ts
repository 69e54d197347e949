import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import type { App } from "cdktf";
import { environmentApp, readNodeRevisionFile, withNodeRevisions, type EnvironmentConfig } from "../lib";
import { dev } from "./dev";
import { prod } from "./prod";
import { sandbox } from "./sandbox";

/** The nearest folder up with a package.json: the repo, whether this runs from stacks/ or precompiled from .synth-build/stacks (stacks/run.js). */
function repoDirOf(dir: string): string {
  return existsSync(join(dir, "package.json")) || dirname(dir) === dir ? dir : repoDirOf(dirname(dir));
}
const repoDir = repoDirOf(__dirname);

/** Node revisions live in stacks/revisions/<env>.json, where `npm run roll` bumps them. */
function withRevisionFile<T extends EnvironmentConfig>(env: T): T {
  const file = `${repoDir}/stacks/revisions/${env.name}.json`;
  return withNodeRevisions(env, readNodeRevisionFile(file), `stacks/revisions/${env.name}.json`);
}

export const environments = { sandbox: withRevisionFile(sandbox), dev: withRevisionFile(dev), prod: withRevisionFile(prod) } as const;

export interface SynthesizeOptions {
  /** @default "cdktf.out" */
  readonly outdir?: string;
  /** @default the three environments of this repo */
  readonly environments?: readonly unknown[];
}

/**
 * This repo's app, through the library's public API only (as an outside infra repo would write it):
 * validates every environment first, then one stack each; template manifests are relative to the repo.
 */
export function buildApp(options: SynthesizeOptions = {}): App {
  return environmentApp(options.environments ?? Object.values(environments), {
    outdir: options.outdir,
    baseDir: repoDir,
  });
}

/** Synthesizes cdktf.out/stacks/<env> and the reviewable cdktf.out/rendered/<env>/<node>.cloud-config.yaml. */
export function synthesize(options: SynthesizeOptions = {}): App {
  const app = buildApp(options);
  app.synth();
  return app;
}
