/**
 * The review tools against the project's real stacks (stacks/app.ts): synth-diff of two prod
 * variants that differ in known ways, and the blast-radius rules' assumptions (construct paths,
 * disk layout) checked against what EnvironmentStack really synthesizes.
 */
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildApp } from "../../stacks/app";
import { prod } from "../../stacks/prod";
import { diffSynth } from "../../lib/review/synth-diff";
import { loadSynthDir } from "../../lib/review/synth-sources";
import { synthResources } from "../../lib/review/synth-resources";
import { BLAST_RADIUS_RULES } from "../../lib/review/blast-radius-rules";
import type { PlannedChange } from "../../lib/review/planned-change";


function synthProd(variant: (env: any) => void): string {
  const env = JSON.parse(JSON.stringify(prod));
  variant(env);
  const outdir = mkdtempSync(join(tmpdir(), "review-real-stacks-"));
  buildApp({ outdir, environments: [env] }).synth();
  return outdir;
}

describe("review tools on the real prod stack", () => {
  let base: string;
  let head: string;
  beforeAll(() => {
    base = synthProd(() => undefined);
    head = synthProd((env) => {
      env.controlPlane.cpus = 8;
      const general = env.workers.find((p: any) => p.name === "general");
      general.count += 1;
      general.ips.push("10.20.30.45");
    });
  });
  afterAll(() => {
    rmSync(base, { recursive: true, force: true });
    rmSync(head, { recursive: true, force: true });
  });

  it("synth-diff: one more general worker, control-plane CPUs changed, nothing removed", () => {
    const [d] = diffSynth(loadSynthDir(base), loadSynthDir(head));
    expect(d.stack).toBe("prod");
    expect(d.removed).toEqual([]);
    expect(d.added.map((r) => [r.type, r.path])).toEqual([["vsphere_virtual_machine", "cluster/workers-general/node-5"]]);
    const vms = d.changed.filter((r) => r.type === "vsphere_virtual_machine");
    expect(vms.map((r) => r.path)).toEqual(["cluster/control-plane/node-1", "cluster/control-plane/node-2", "cluster/control-plane/node-3"]);
    for (const vm of vms) expect(vm.attributes).toEqual([{ name: "num_cpus", from: "4", to: "8" }]);
  });

  it("blast-radius rules recognise the real control-plane VMs and the real Ceph data-disk VMs, and nothing else", () => {
    // Each synthesized VM as if a plan replaced it, with its config standing in for its state.
    const vms = [...synthResources(loadSynthDir(base).get("prod")).values()].filter((r) => r.type === "vsphere_virtual_machine");
    const asReplace = (r: (typeof vms)[number]): PlannedChange => ({
      address: r.address, type: r.type, path: r.path, pathFromMetadata: true, action: "replace", createBeforeDestroy: false,
      changed: [], replaceReasons: [], before: r.config, after: r.config,
    });
    const hits = (id: string) => vms.filter((r) => BLAST_RADIUS_RULES.find((x) => x.id === id)!.hits(asReplace(r), { statefulNamespaces: new Set() }) !== undefined).map((r) => r.path).sort();
    expect(hits("control-plane-vms")).toEqual(["cluster/control-plane/node-1", "cluster/control-plane/node-2", "cluster/control-plane/node-3"]);
    expect(hits("ceph-data-disk-vms")).toEqual(["cluster/workers-storage/node-1", "cluster/workers-storage/node-2", "cluster/workers-storage/node-3"]);
  });
});
