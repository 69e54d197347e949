import type { KubeApi } from "./kube-api";
import { apiError } from "./kube-api";
import { RollError, sleep, waitFor, type Patience } from "./wait";

export interface DrainOptions extends Patience {
  /** Evict pods no controller owns too (they are not recreated anywhere), like `kubectl drain --force`. */
  readonly force?: boolean;
  readonly log?: (line: string) => void;
}

/** DaemonSet pods run on every node anyway and mirror pods are the kubelet's static pods: drain leaves both. */
function leftInPlace(pod: any): string | undefined {
  if (pod.metadata?.annotations?.["kubernetes.io/config.mirror"] !== undefined) return "mirror pod";
  if ((pod.metadata?.ownerReferences ?? []).some((o: any) => o.kind === "DaemonSet" && o.controller)) return "DaemonSet pod";
  return undefined;
}

const podName = (pod: any) => `${pod.metadata.namespace}/${pod.metadata.name}`;

/**
 * `kubectl drain --ignore-daemonsets --delete-emptydir-data`, through the Eviction API, of a node the
 * caller has cordoned: evict every pod but DaemonSet and mirror pods (emptyDir data goes with the pod). A 429 is a
 * PodDisruptionBudget saying "not now": retried until the timeout, never bypassed by a delete.
 * Then waits until the evicted pods are gone from the node.
 */
export async function drainNode(api: KubeApi, node: string, options: DrainOptions): Promise<void> {
  const log = options.log ?? (() => {});
  const pods = (await api.podsOnNode(node)).filter((pod) => leftInPlace(pod) === undefined);
  const unmanaged = pods.filter((pod) => !(pod.metadata?.ownerReferences ?? []).some((o: any) => o.controller));
  if (unmanaged.length > 0 && !options.force) {
    throw new RollError(
      `${node}: ${unmanaged.map(podName).join(", ")} ${unmanaged.length === 1 ? "has" : "have"} no controller and would not come back anywhere; ` +
        `delete ${unmanaged.length === 1 ? "it" : "them"} yourself or rerun with --force (the node stays cordoned)`,
    );
  }
  const deadline = Date.now() + options.timeoutMs;
  await Promise.all(pods.map((pod) => evictUntilAllowed(api, pod, deadline, options.pollMs, log)));
  const uids = new Set(pods.map((pod) => pod.metadata.uid));
  await waitFor(
    { timeoutMs: Math.max(0, deadline - Date.now()), pollMs: options.pollMs },
    async (note) => {
      const left = (await api.podsOnNode(node)).filter((pod) => uids.has(pod.metadata.uid));
      if (left.length === 0) return true;
      note(`${left.map(podName).join(", ")} still terminating`);
      return undefined;
    },
    (last, seconds) => `${node}: evicted pods not gone after ${seconds} s (${last}); the node stays cordoned; rerun npm run roll to resume`,
  );
  log(`${node}: drained (${pods.length} pod${pods.length === 1 ? "" : "s"} evicted)`);
}

async function evictUntilAllowed(api: KubeApi, pod: any, deadline: number, pollMs: number, log: (line: string) => void): Promise<void> {
  const { namespace, name } = pod.metadata;
  let reported = false;
  for (;;) {
    const res = await api.evict(namespace, name);
    if (res.status === 200 || res.status === 201 || res.status === 404) return;
    if (res.status !== 429) throw apiError("POST", `eviction of ${namespace}/${name}`, res);
    const why = res.body?.message ?? "a PodDisruptionBudget allows no disruption now";
    if (!reported) log(`${namespace}/${name}: eviction refused (${why}); retrying until the drain timeout`);
    reported = true;
    if (Date.now() >= deadline) {
      throw new RollError(
        `${podName(pod)}: eviction still refused at the drain timeout: ${why}. A PodDisruptionBudget allows no disruption: ` +
          `scale the workload up or wait until its pods are healthy elsewhere, then rerun npm run roll (the node stays cordoned)`,
      );
    }
    await sleep(pollMs);
  }
}
