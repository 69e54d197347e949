import { drainNode, type DrainOptions } from "./drain";
import type { KubeApi } from "./kube-api";

/**
 * Before a pool scales down to `count`, the apply removes its highest-numbered nodes
 * (`<env>-<pool>-<n>`, n > count): drain those that are in the cluster first, highest first.
 * Read from the cluster, not the synth: the synth may already have the smaller count.
 */
export async function drainForScaleDown(api: KubeApi, env: string, pool: string, count: number, options: DrainOptions): Promise<string[]> {
  const prefix = `${env}-${pool}-`;
  const list = await api.get("/api/v1/nodes");
  const leaving = (list?.items ?? [])
    .map((n: any) => n.metadata.name as string)
    .filter((name: string) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)) && Number(name.slice(prefix.length)) > count)
    .sort((a: string, b: string) => Number(b.slice(prefix.length)) - Number(a.slice(prefix.length)));
  for (const node of leaving) {
    await api.setUnschedulable(node, true);
    await drainNode(api, node, options);
  }
  return leaving;
}
