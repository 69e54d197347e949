import { deepMerge } from "../../lib/platform/values";
import { dev } from "../../stacks/dev";
import { prod } from "../../stacks/prod";
import { sandbox } from "../../stacks/sandbox";
import { upstreamValues } from "./upstream";
import { synthPlatform } from "./synth";

/** "250m" -> 0.25, "2" -> 2 */
function cores(cpu: string): number {
  return cpu.endsWith("m") ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu);
}

/** "512Mi" -> 512, "4Gi" -> 4096 (MiB) */
function mebibytes(memory: string): number {
  const m = /^(\d+)(Mi|Gi)$/.exec(memory);
  if (!m) throw new Error(`unexpected memory quantity ${memory}`);
  return Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
}

/** What one data node may run at once: a mon, a mgr, its OSD, the OSD prepare job, the crash collector, the exporter. */
const DAEMONS_PER_DATA_NODE = ["mon", "mgr", "osd", "prepareosd", "crashcollector", "exporter"] as const;

describe.each([sandbox, dev, prod])("Ceph daemons fit the data nodes of the shipped $name environment", (env) => {
  const rook = synthPlatform(env).releases["rook-ceph-cluster"].values as any;
  // Helm merges our values over the chart's: daemons the tier does not size keep the chart's requests.
  const resources = deepMerge((upstreamValues("rook-ceph-cluster") as any).cephClusterSpec.resources, rook.cephClusterSpec.resources ?? {}) as any;
  const dataPools = env.workers.filter((p) => p.dataDiskGiB !== undefined);

  it.each(dataPools.map((p) => [p.name, p] as const))("pool %s: at most half of a node's CPU and memory, the rest for the platform and workloads", (_name, pool) => {
    const cpu = DAEMONS_PER_DATA_NODE.reduce((sum, d) => sum + cores(resources[d].requests.cpu), 0);
    const memory = DAEMONS_PER_DATA_NODE.reduce((sum, d) => sum + mebibytes(resources[d].requests.memory), 0);
    expect(cpu).toBeLessThanOrEqual(pool.cpus / 2);
    expect(memory).toBeLessThanOrEqual(pool.memoryMiB / 2);
  });

  it("an OSD's memory limit equals its request (Rook derives osd_memory_target from the limit: no overcommit)", () => {
    expect(resources.osd.limits.memory).toBe(resources.osd.requests.memory);
  });
});
