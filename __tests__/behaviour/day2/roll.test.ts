/**
 * npm run roll against REAL Terraform plans (terraform_data stand-ins retyped to vSphere types) and
 * a stubbed Kubernetes API over HTTPS with client-certificate auth.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { endpointFromKubeconfig, KubeApi } from "../../../lib/day2/kube-api";
import { roll, rollSteps, type RollOptions } from "../../../lib/day2/roll";
import { loadRollState } from "../../../lib/day2/roll-state";
import { RollError } from "../../../lib/day2/wait";
import { describeWithTools } from "../../tools";
import { FakeCluster, startFakeCluster, type RunningFakeCluster } from "../../day2/fake-cluster";
import { StandInStack, StandInTerraform } from "../../day2/stand-in-stack";

const FAST = { pollMs: 20 };

interface Setup {
  readonly stack: StandInStack;
  readonly cluster: FakeCluster;
  readonly terraform: StandInTerraform;
  readonly options: RollOptions;
  readonly run: (overrides?: Partial<RollOptions>) => Promise<void>;
  readonly log: string[];
}

describeWithTools([["terraform", ["version"]], ["openssl", ["version"]]])("npm run roll (real Terraform plans, stubbed cluster API)", () => {
  const running: RunningFakeCluster[] = [];
  afterAll(() => Promise.all(running.map((r) => r.close())));

  async function setUp(pools = [{ name: "general", count: 3 }, { name: "storage", count: 2, storage: true }], pool = "general"): Promise<Setup> {
    const stack = new StandInStack(pools);
    await stack.deploy();
    const api = await startFakeCluster();
    running.push(api);
    const cluster = api.cluster;
    for (const p of pools) for (const node of stack.nodeNames(p.name)) cluster.addNode(node);
    const terraform = new StandInTerraform(stack, (vm) => cluster.rebuilt(vm));
    const log: string[] = [];
    const options: RollOptions = {
      env: "prod",
      pool,
      synthDir: stack.synthDir,
      revisionFile: stack.revisionFile,
      stateFile: stack.stateFile,
      planFile: join(stack.tfDir, "roll.tfplan"),
      drain: { timeoutMs: 5_000, ...FAST },
      ready: { timeoutMs: 5_000, ...FAST },
      ceph: { timeoutMs: 5_000, ...FAST },
    };
    const kube = new KubeApi(endpointFromKubeconfig(api.kubeconfig, "test kubeconfig"));
    const run = (overrides: Partial<RollOptions> = {}) => roll({ ...options, ...overrides }, { kube, terraform, synth: () => stack.synth(), log: (l) => log.push(l) });
    return { stack, cluster, terraform, options, run, log };
  }

  const revisions = (s: Setup) => JSON.parse(readFileSync(s.stack.revisionFile, "utf8"));
  const cordoned = (s: Setup) => [...s.cluster.nodes.values()].filter((n) => n.spec.unschedulable).map((n) => n.metadata.name);

  it("rolls a pool node by node: drains (DaemonSet and mirror pods stay, emptyDir pods go), one VM per plan, waits for the new node, uncordons", async () => {
    const s = await setUp();
    s.cluster.addPod("prod-general-1", "shop", "web-1", { kind: "ReplicaSet" });
    s.cluster.addPod("prod-general-1", "shop", "cache-1", { kind: "ReplicaSet" }, {}, [{ name: "scratch", emptyDir: {} }]);
    s.cluster.addPod("prod-general-1", "calico-system", "calico-node-abcde", { kind: "DaemonSet" });
    s.cluster.addPod("prod-general-1", "kube-system", "kube-proxy-static", undefined, { annotations: { "kubernetes.io/config.mirror": "abc" } });
    s.cluster.addPod("prod-general-2", "shop", "web-2", { kind: "ReplicaSet" });
    const bootIds = new Map([...s.cluster.nodes].map(([n, node]) => [n, node.status.nodeInfo.bootID]));

    await s.run();

    expect(revisions(s)).toEqual({ "prod-general-1": 1, "prod-general-2": 1, "prod-general-3": 1 });
    expect(s.cluster.evictions.map((e) => `${e.pod} ${e.status}`).sort()).toEqual(["shop/cache-1 201", "shop/web-1 201", "shop/web-2 201"]);
    // every plan the gate saw replaced exactly one VM (and its pool's DRS rule, replaced with its member)
    expect(s.terraform.plans).toBe(3);
    const last = s.terraform.lastPlan!.resource_changes!.filter((rc) => !rc.change.actions.includes("no-op"));
    expect(last.map((rc) => `${rc.type} ${rc.change.actions.join("+")}`).sort()).toEqual([
      "vsphere_compute_cluster_vm_anti_affinity_rule delete+create",
      "vsphere_virtual_machine delete+create",
    ]);
    expect((last.find((rc) => rc.type === "vsphere_virtual_machine")!.change.after as any).name).toBe("prod-general-3");
    for (const n of s.stack.nodeNames("general")) expect(s.cluster.nodes.get(n).status.nodeInfo.bootID).not.toBe(bootIds.get(n));
    for (const n of s.stack.nodeNames("storage")) expect(s.cluster.nodes.get(n).status.nodeInfo.bootID).toBe(bootIds.get(n));
    expect(cordoned(s)).toEqual([]);
    // order: node 1 finished (uncordoned) before node 2 was cordoned
    const patches = s.cluster.requests.filter((r) => r.startsWith("PATCH"));
    expect(patches).toEqual(["prod-general-1", "prod-general-1", "prod-general-2", "prod-general-2", "prod-general-3", "prod-general-3"].map((n) => `PATCH /api/v1/nodes/${n}`));
    expect(s.cluster.podsOn("prod-general-1")).toEqual([]);
    expect(existsSync(s.options.stateFile)).toBe(false);
    expect(existsSync(s.options.planFile)).toBe(false);
    expect(s.log.at(-1)).toContain(`commit ${s.stack.revisionFile}`);
  });

  it("retries an eviction a PodDisruptionBudget refuses (429) until it is allowed; refused past the drain timeout, it stops with the node cordoned", async () => {
    const s = await setUp();
    s.cluster.addPod("prod-general-1", "shop", "web-1", { kind: "ReplicaSet" });
    s.cluster.pdbRefusals.set("shop/web-1", 3);
    await s.run({ nodes: ["prod-general-1"] });
    expect(s.cluster.evictions.map((e) => e.status)).toEqual([429, 429, 429, 201]);
    expect(s.log.some((l) => l.includes("shop/web-1: eviction refused (Cannot evict pod as it would violate the pod's disruption budget.)"))).toBe(true);
    expect(revisions(s)).toEqual({ "prod-general-1": 1 });

    s.cluster.addPod("prod-general-2", "shop", "web-2", { kind: "ReplicaSet" });
    s.cluster.pdbRefusals.set("shop/web-2", Infinity);
    const failure = s.run({ nodes: ["prod-general-2"], drain: { timeoutMs: 300, ...FAST } });
    await expect(failure).rejects.toThrow(RollError);
    await expect(failure).rejects.toThrow(/shop\/web-2: eviction still refused at the drain timeout: Cannot evict pod.*the node stays cordoned/);
    expect(cordoned(s)).toEqual(["prod-general-2"]);
    expect(s.terraform.plans).toBe(1);
    expect(loadRollState(s.options.stateFile)!.current).toMatchObject({ node: "prod-general-2", step: "drain" });
  });

  it("stops when the plan replaces two VMs (state kept, nothing applied), and resumes at the bump once the stray change is gone", async () => {
    const s = await setUp();
    s.stack.alsoReplace.add("prod-general-3"); // e.g. someone bumped node 3 in the config without applying
    const failure = s.run();
    await expect(failure).rejects.toThrow(
      /prod-general-1: not applying the plan:\n  - the plan must replace exactly one VM, prod-general-1; it changes 2 VM\(s\) \(prod-general-1: replace, prod-general-3: replace\)/,
    );
    expect(s.terraform.applies).toBe(0);
    expect(loadRollState(s.options.stateFile)!.current).toMatchObject({ node: "prod-general-1", step: "plan", revision: 1 });
    expect(cordoned(s)).toEqual(["prod-general-1"]);
    expect(existsSync(s.options.planFile)).toBe(false);

    s.stack.alsoReplace.clear();
    await s.run();
    expect(s.log).toContain("resuming the roll of prod pool general at prod-general-1: plan");
    expect(revisions(s)).toEqual({ "prod-general-1": 1, "prod-general-2": 1, "prod-general-3": 1 });
    expect(s.terraform.applies).toBe(3);
    expect(cordoned(s)).toEqual([]);
  });

  it("resumes after a failed apply: plans again; when Terraform had already replaced the VM, the empty plan is applied and the roll goes on", async () => {
    const s = await setUp();
    s.terraform.failNextApply = "before";
    await expect(s.run({ nodes: ["prod-general-1", "prod-general-2"] })).rejects.toThrow("clone task failed");
    expect(loadRollState(s.options.stateFile)!.current).toMatchObject({ node: "prod-general-1", step: "apply", applyStarted: true });
    expect(cordoned(s)).toEqual(["prod-general-1"]);

    s.terraform.failNextApply = "after";
    await expect(s.run({ nodes: ["prod-general-1", "prod-general-2"] })).rejects.toThrow("connection to vCenter lost");
    expect(s.terraform.applies).toBe(2);

    await s.run({ nodes: ["prod-general-1", "prod-general-2"] });
    // the third plan of node 1 had nothing left to replace: Terraform had done it before the failure
    expect(s.terraform.plans).toBe(4);
    expect(revisions(s)).toEqual({ "prod-general-1": 1, "prod-general-2": 1 });
    expect(cordoned(s)).toEqual([]);
    expect(existsSync(s.options.stateFile)).toBe(false);
  });

  it("on storage nodes waits for Ceph HEALTH_OK after the rebuild; a Ceph that stays unhealthy times out clearly and a rerun resumes the wait without planning again", async () => {
    const s = await setUp(undefined, "storage");
    const rebuilt = s.cluster.rebuilt.bind(s.cluster);
    s.cluster.rebuilt = (name, polls) => {
      rebuilt(name, polls);
      s.cluster.cephHealth = "HEALTH_WARN"; // backfilling the new OSD
    };
    const failure = s.run({ ceph: { timeoutMs: 300, ...FAST } });
    await expect(failure).rejects.toThrow(
      /prod-storage-1: Ceph not HEALTH_OK after 0 s \(CephCluster rook-ceph\/rook-ceph status\.ceph\.health is HEALTH_WARN\).*rerun npm run roll to resume \(the node stays cordoned\)/,
    );
    expect(loadRollState(s.options.stateFile)!.current).toMatchObject({ node: "prod-storage-1", step: "ceph-after" });
    expect(cordoned(s)).toEqual(["prod-storage-1"]);

    s.cluster.cephHealth = "HEALTH_OK";
    s.cluster.rebuilt = (name, polls) => rebuilt(name, polls); // node 2 rebuilds without a warning
    await s.run();
    expect(s.terraform.plans).toBe(2); // node 1 was not planned again
    expect(revisions(s)).toEqual({ "prod-storage-1": 1, "prod-storage-2": 1 });
    expect(s.cluster.requests.filter((r) => r.includes("cephclusters")).length).toBeGreaterThanOrEqual(4);
  });

  it("refuses to start another roll while one is unfinished, and --dry-run lists the steps without touching anything", async () => {
    const s = await setUp();
    s.cluster.addPod("prod-general-1", "shop", "web-1", { kind: "ReplicaSet" });
    s.cluster.pdbRefusals.set("shop/web-1", Infinity);
    await expect(s.run({ drain: { timeoutMs: 100, ...FAST } })).rejects.toThrow(RollError);
    await expect(s.run({ pool: "storage" })).rejects.toThrow(/an unfinished roll of prod pool general .* is recorded in .*prod\.json: finish it \(npm run roll -- --env prod --pool general\)/);

    const steps = rollSteps({ ...s.options, pool: "storage" });
    expect(steps[0]).toBe("roll of prod pool storage: prod-storage-1, prod-storage-2 (one at a time)");
    expect(steps).toContain("prod-storage-1 (revision 0 -> 1, Ceph storage node):");
    expect(steps.filter((l) => l.includes("ceph-before")).length).toBe(2);
    expect(rollSteps(s.options).some((l) => l.includes("ceph"))).toBe(false);
    expect(() => rollSteps({ ...s.options, nodes: ["prod-general-7"] })).toThrow("--node prod-general-7 is not a node of prod pool general");
  });
});
