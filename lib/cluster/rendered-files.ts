import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EnvironmentConfig } from "../config/types";
import { allNodes } from "../config/pool-nodes";
import { type RenderOptions, renderCloudConfig } from "./cloud-config";
import { placeholderSecrets } from "./secrets";

/** `<node>.cloud-config.yaml` for every node of the environment, secrets as visible placeholders. */
export function renderedCloudConfigs(env: EnvironmentConfig, options?: RenderOptions): Map<string, string> {
  const secrets = placeholderSecrets();
  return new Map(allNodes(env).map((node) => [`${node.name}.cloud-config.yaml`, renderCloudConfig(env, node, secrets, options)]));
}

/**
 * Writes `<outdir>/rendered/<env>/<node>.cloud-config.yaml` (the directory is replaced, so a removed
 * node's file disappears too). Returns the paths written. Call after synth, e.g. with "cdktf.out".
 * Pass `configs` (e.g. `KubeadmCluster.renderedCloudConfigs`) to write what the cluster already rendered.
 */
export function writeRenderedCloudConfigs(
  outdir: string,
  env: EnvironmentConfig,
  configs: ReadonlyMap<string, string> = renderedCloudConfigs(env),
): string[] {
  const dir = join(outdir, "rendered", env.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return [...configs].map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}
