import type { App } from "cdktf";
import { environmentApp } from "../lib";
import { dev } from "./dev";
import { prod } from "./prod";
import { sandbox } from "./sandbox";

export const environments = { sandbox, dev, prod } as const;

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
    baseDir: `${__dirname}/..`,
  });
}

/** Synthesizes cdktf.out/stacks/<env> and the reviewable cdktf.out/rendered/<env>/<node>.cloud-config.yaml. */
export function synthesize(options: SynthesizeOptions = {}): App {
  const app = buildApp(options);
  app.synth();
  return app;
}
