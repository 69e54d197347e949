import { App } from "cdktf";
import { writeRenderedCloudConfigs } from "../lib/cluster/rendered-files";
import { validateEnvironment } from "../lib/config/validate";
import { EnvironmentStack } from "./environment-stack";
import { dev } from "./dev";
import { prod } from "./prod";
import { sandbox } from "./sandbox";

export const environments = { sandbox, dev, prod } as const;

export interface BuildAppOptions {
  /** @default "cdktf.out" */
  readonly outdir?: string;
  /** @default the three environments of this repo */
  readonly environments?: readonly unknown[];
  /** Project root (template manifests are relative to it). @default the repo root */
  readonly baseDir?: string;
}

/**
 * Builds the app: every environment is validated BEFORE any stack is created, so a mistake in one
 * environment fails the whole synth with one message and writes nothing.
 */
export function buildApp(options: BuildAppOptions = {}): App {
  const configs = (options.environments ?? Object.values(environments)).map((env) => validateEnvironment(env));
  // Stack traces in metadata cost ~40% of synth time and only point into this repo's own code.
  const app = new App({ outdir: options.outdir ?? "cdktf.out", stackTraces: false });
  for (const config of configs) {
    new EnvironmentStack(app, {
      config,
      state: config.tier === "sandbox" ? "local" : "gitlab",
      baseDir: options.baseDir ?? `${__dirname}/..`,
    });
  }
  return app;
}

/**
 * Synthesizes the app, then writes every node's cloud-config with secrets as visible placeholders to
 * `<outdir>/rendered/<env>/<node>.cloud-config.yaml`, so a merge request shows what changes on a node.
 */
export function synthesize(options: BuildAppOptions = {}): App {
  const app = buildApp(options);
  app.synth();
  for (const stack of app.node.children) {
    if (stack instanceof EnvironmentStack) {
      writeRenderedCloudConfigs(app.outdir, stack.config, stack.cluster.renderedCloudConfigs);
    }
  }
  return app;
}
