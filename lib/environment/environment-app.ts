import { Annotations, App } from "cdktf";
import { ConfigError } from "../config/problems";
import type { ValidatedEnvironment } from "../config/types";
import { validateEnvironment } from "../config/validate";
import { crossEnvironmentWarnings } from "../config/warnings";
import { EnvironmentStack, type EnvironmentStackProps } from "./environment-stack";
import { withoutTokenStackTraces } from "./token-stack-traces";

export interface EnvironmentAppOptions {
  /** @default "cdktf.out" */
  readonly outdir?: string;
  /**
   * Directory relative template manifest paths are resolved against.
   * @default process.cwd()
   */
  readonly baseDir?: string;
  /**
   * State backend per environment.
   * @default EnvironmentStack's default (local for the sandbox tier, GitLab otherwise)
   */
  readonly state?: (config: ValidatedEnvironment) => EnvironmentStackProps["state"];
}

/**
 * Validates every environment BEFORE any stack exists, so a mistake anywhere fails the whole synth with
 * ONE ConfigError (every problem of every environment, and names used twice) and writes nothing. Then
 * builds one EnvironmentStack per environment; `app.synth()` writes cdktf.out and the rendered
 * cloud-configs. What is legal but suspicious becomes a synth warning (cdktf Annotations).
 */
export function environmentApp(environments: readonly unknown[], options: EnvironmentAppOptions = {}): App {
  const configs = validateAll(environments);
  // Stack traces in metadata cost ~40% of synth time and only point into the library's own code; those
  // of tokens another 14% (token-stack-traces.ts): off while the stacks are built and synthesized.
  const app = new EnvironmentApp({ outdir: options.outdir ?? "cdktf.out", stackTraces: false });
  const stacks = withoutTokenStackTraces(() =>
    configs.map((config) => new EnvironmentStack(app, { config, state: options.state?.(config), baseDir: options.baseDir })),
  );
  for (const { environment, message } of crossEnvironmentWarnings(configs)) {
    Annotations.of(stacks[configs.findIndex((c) => c.name === environment)]).addWarning(message);
  }
  return app;
}

/** An App whose synth resolves tokens without recording a stack trace for each new one. */
class EnvironmentApp extends App {
  override synth(): void {
    withoutTokenStackTraces(() => super.synth());
  }
}

function validateAll(environments: readonly unknown[]): ValidatedEnvironment[] {
  const problems: string[] = [];
  const configs: ValidatedEnvironment[] = [];
  for (const input of environments) {
    try {
      configs.push(validateEnvironment(input));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  const seen = new Set<string>();
  for (const { name } of configs) {
    if (seen.has(name)) problems.push(`${name}.name: "${name}" names two environments; every environment is its own stack and state: rename one`);
    seen.add(name);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid environments (nothing was written)`, problems);
  return configs;
}

/** Every warning annotation in the app after synth, as `[construct path] message` lines. */
export function synthWarnings(app: App): string[] {
  return app.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => `[${c.node.path}] ${String(m.data)}`));
}
