import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildApp } from "../../stacks/app";
import { prod } from "../../stacks/prod";
import { judge } from "../../lib/review/blast-radius";
import type { PlannedChange } from "../../lib/review/planned-change";
import { loadSynthDir } from "../../lib/review/synth-sources";
import { synthResources, type SynthResource } from "../../lib/review/synth-resources";

/**
 * The gate on the real prod stack's Kyverno releases: Kyverno holds no data (its reports are recomputed by the
 * background scan), so its release passes like any stateless one; a change of the policies passes with a note.
 */
describe("the gate on Kyverno's releases", () => {
  let dir: string;
  let releases: Map<string, SynthResource>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "review-kyverno-"));
    buildApp({ outdir: dir, environments: [prod] }).synth();
    const resources = [...synthResources(loadSynthDir(dir).get("prod")).values()].filter((r) => r.type === "helm_release");
    releases = new Map(resources.map((r) => [String(r.config.name), r]));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const change = (name: string, action: PlannedChange["action"]): PlannedChange => {
    const r = releases.get(name)!;
    return {
      address: r.address, type: r.type, path: r.path, pathFromMetadata: true, action, createBeforeDestroy: false,
      changed: [], replaceReasons: [], before: action === "create" ? null : r.config, after: action === "delete" ? null : r.config,
    };
  };

  it.each(["update", "replace", "delete"] as const)("kyverno %s: passes silently (not stateful)", (action) => {
    const result = judge("prod", [change("kyverno", action)]);
    expect([result.violations, result.routine]).toEqual([[], []]);
  });

  it.each(["update", "replace", "delete"] as const)("admission-policies %s: passes, with the routine note admission-policy-change", (action) => {
    const result = judge("prod", [change("admission-policies", action)]);
    expect(result.violations).toEqual([]);
    expect(result.routine.map((n) => n.operation.id)).toEqual(["admission-policy-change"]);
  });

  it("installing the policies for the first time is no note (a create is in the plan's counts)", () => {
    expect(judge("prod", [change("admission-policies", "create")]).routine).toEqual([]);
  });

  it("the note is for that release only: another raw release (cluster-issuer) replaced gets none", () => {
    expect(judge("prod", [change("cluster-issuer", "replace")]).routine).toEqual([]);
  });
});
