import * as cloudConfig from "../../lib/cluster/cloud-config";
import { cloudConfigRenderer } from "../../lib/cluster/pool-cloud-config";
import { placeholderSecrets } from "../../lib/cluster/secrets";
import { allNodes, type PoolNode } from "../../lib/config/pool-nodes";
import type { EnvironmentConfig } from "../../lib/config/types";
import { dev } from "../../stacks/dev";
import { prod } from "../../stacks/prod";
import { sandbox } from "../../stacks/sandbox";
import { FIXTURES, prodLike } from "./fixtures";

/** prod with 12 general workers, two of them rebuilt (revisions), one at a two-digit index. */
function prodWithRebuilds(): EnvironmentConfig {
  const env = JSON.parse(JSON.stringify(prod));
  const general = env.workers.find((p: { name: string }) => p.name === "general");
  general.count = 12;
  general.ips = Array.from({ length: 12 }, (_, i) => `10.20.30.${100 + i}`);
  general.nodeRevisions = { "prod-general-2": 3, "prod-general-11": 12 };
  return env;
}

const ENVIRONMENTS: readonly EnvironmentConfig[] = [...FIXTURES, sandbox, dev, prod, prodWithRebuilds()];
const options = (node: PoolNode): cloudConfig.RenderOptions => ({ containerdVersion: node.pool === "general" ? "1.7.27" : undefined });

describe("cloudConfigRenderer: a worker pool rendered once, byte-identical to rendering each node", () => {
  afterEach(() => jest.restoreAllMocks());

  test.each(ENVIRONMENTS.map((e, i) => [`${e.name} #${i}`, e] as const))("%s: every node both ways", (_n, env) => {
    const secrets = placeholderSecrets();
    const render = cloudConfigRenderer(env, secrets, options);
    for (const node of allNodes(env)) {
      expect(render(node)).toBe(cloudConfig.renderCloudConfig(env, node, secrets, options(node)));
    }
  });

  test("each worker pool's YAML is rendered twice (the two stand-ins), not once per node", () => {
    const env = prodWithRebuilds();
    const spy = jest.spyOn(cloudConfig, "renderCloudConfig");
    const render = cloudConfigRenderer(env, placeholderSecrets(), options);
    const nodes = allNodes(env);
    nodes.forEach(render);
    const controlPlane = nodes.filter((n) => n.role === "control-plane").length;
    expect(spy).toHaveBeenCalledTimes(controlPlane + 2 * env.workers.length);
    expect(nodes.length - controlPlane).toBeGreaterThan(2 * env.workers.length);
  });

  test("a text that depends on a node other than verbatim (here its index + 1) falls back to rendering that node", () => {
    const real = cloudConfig.renderCloudConfig;
    jest.spyOn(cloudConfig, "renderCloudConfig").mockImplementation((env, node, secrets, opts) => `${real(env, node, secrets, opts)}# node ${node.index + 1}\n`);
    const render = cloudConfigRenderer(prodLike, placeholderSecrets(), () => ({}));
    for (const node of allNodes(prodLike)) expect(render(node)).toBe(`${real(prodLike, node, placeholderSecrets(), {})}# node ${node.index + 1}\n`);
  });
});
