import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { drainNode } from "../../../lib/day2/drain";
import { endpointFromKubeconfig, KubeApi } from "../../../lib/day2/kube-api";
import { drainForScaleDown } from "../../../lib/day2/scale-down-drain";
import { describeWithTool } from "../../tools";
import { startFakeCluster, type RunningFakeCluster } from "../../day2/fake-cluster";

const FAST = { timeoutMs: 2_000, pollMs: 20 };

describeWithTool("openssl", ["version"])("drain through the Eviction API (stubbed cluster over HTTPS)", () => {
  let api: RunningFakeCluster;
  let kube: KubeApi;
  beforeEach(async () => {
    api = await startFakeCluster();
    kube = new KubeApi(endpointFromKubeconfig(api.kubeconfig, "test kubeconfig"));
  });
  afterEach(() => api.close());

  it("before a scale-down to 2, cordons and drains the pool's nodes above 2, highest first, and nothing else", async () => {
    for (const n of [1, 2, 3, 4]) api.cluster.addNode(`prod-general-${n}`);
    api.cluster.addNode("prod-general-canary-5"); // another pool whose name starts alike
    for (const n of [2, 3, 4]) api.cluster.addPod(`prod-general-${n}`, "shop", `web-${n}`, { kind: "ReplicaSet" });
    const drained = await drainForScaleDown(kube, "prod", "general", 2, FAST);
    expect(drained).toEqual(["prod-general-4", "prod-general-3"]);
    expect(api.cluster.evictions.map((e) => e.pod)).toEqual(["shop/web-4", "shop/web-3"]);
    const cordoned = [...api.cluster.nodes.values()].filter((n) => n.spec.unschedulable).map((n) => n.metadata.name);
    expect(cordoned).toEqual(["prod-general-3", "prod-general-4"]);
    expect(await drainForScaleDown(kube, "prod", "general", 4, FAST)).toEqual([]);
  });

  it("refuses pods no controller owns (they would not come back) unless forced, like kubectl drain", async () => {
    api.cluster.addNode("prod-general-1");
    api.cluster.addPod("prod-general-1", "default", "debug-shell");
    api.cluster.addPod("prod-general-1", "shop", "web-1", { kind: "ReplicaSet" });
    await expect(drainNode(kube, "prod-general-1", FAST)).rejects.toThrow(
      "prod-general-1: default/debug-shell has no controller and would not come back anywhere; delete it yourself or rerun with --force (the node stays cordoned)",
    );
    expect(api.cluster.evictions).toEqual([]);
    await drainNode(kube, "prod-general-1", { ...FAST, force: true });
    expect(api.cluster.podsOn("prod-general-1")).toEqual([]);
  });

  it("authenticates with the kubeconfig's client certificate: without it the API server refuses the connection", async () => {
    api.cluster.addNode("prod-general-1");
    const endpoint = endpointFromKubeconfig(api.kubeconfig, "test kubeconfig");
    await expect(new KubeApi({ ...endpoint, cert: undefined, key: undefined }).getNode("prod-general-1")).rejects.toThrow();
    expect((await kube.getNode("prod-general-1")).metadata.name).toBe("prod-general-1");
    expect(await kube.getNode("prod-general-9")).toBeUndefined();
    expect(() => endpointFromKubeconfig("apiVersion: v1\nkind: Config\n", "x.yaml")).toThrow('x.yaml: no cluster server for the current context "undefined"');
  });

  it("npm run roll -- drain: the CLI reads --kubeconfig, drains above --count and exits 0; a usage mistake exits 2 with one line", async () => {
    for (const n of [1, 2]) api.cluster.addNode(`prod-general-${n}`);
    api.cluster.addPod("prod-general-2", "shop", "web-2", { kind: "ReplicaSet" });
    const kubeconfig = join(mkdtempSync(join(tmpdir(), "roll-cli-")), "kubeconfig");
    writeFileSync(kubeconfig, api.kubeconfig);
    const cli = (...args: string[]) =>
      promisify(execFile)(join(__dirname, "../../../node_modules/.bin/tsx"), [join(__dirname, "../../../lib/day2/roll-cli.ts"), ...args]).then(
        (r) => ({ code: 0, ...r }),
        (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }),
      );
    const ok = await cli("drain", "--env", "prod", "--pool", "general", "--count", "1", "--kubeconfig", kubeconfig);
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringContaining("roll: drained prod-general-2: apply the smaller count now") });
    expect(api.cluster.podsOn("prod-general-2")).toEqual([]);
    const bad = await cli("drain", "--env", "prod", "--pool", "general", "--count", "two", "--kubeconfig", kubeconfig);
    expect(bad).toMatchObject({ code: 2, stderr: 'error: --count expects the pool\'s new node count, got "two"\n' });
  });
});
