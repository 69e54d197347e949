/**
 * The gate against the namespaces and NetworkPolicies the real prod stack synthesizes: each one, as if a plan
 * replaced or deleted it, is judged by the rule meant for it (the synthesized config stands in for its state).
 */
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildApp } from "../../stacks/app";
import { prod } from "../../stacks/prod";
import { judge } from "../../lib/review/blast-radius";
import { KNOWN_TYPES, STATEFUL_CHARTS } from "../../lib/review/blast-radius-rules";
import type { PlannedChange } from "../../lib/review/planned-change";
import { loadSynthDir } from "../../lib/review/synth-sources";
import { synthResources, type SynthResource } from "../../lib/review/synth-resources";

describe("the gate on the real stack's namespaces and NetworkPolicies", () => {
  let dir: string;
  let resources: SynthResource[];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "review-namespaces-"));
    buildApp({ outdir: dir, environments: [prod] }).synth();
    resources = [...synthResources(loadSynthDir(dir).get("prod")).values()];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const change = (r: SynthResource, action: PlannedChange["action"]): PlannedChange => ({
    address: r.address, type: r.type, path: r.path, pathFromMetadata: true, action, createBeforeDestroy: false,
    changed: [], replaceReasons: [], before: r.config, after: action === "delete" ? null : r.config,
  });
  // What planFacts reads from a plan's helm_release entries: the namespaces of the stateful releases.
  const facts = () => ({
    statefulNamespaces: new Set(resources.filter((r) => r.type === "helm_release" && STATEFUL_CHARTS.has(String(r.config.chart).split("/").pop()!)).map((r) => String(r.config.namespace))),
  });

  it("every managed resource type the stack synthesizes is known to the gate (a new one must bring its rule)", () => {
    const managed = resources.filter((r) => !r.address.startsWith("data."));
    expect([...new Set(managed.map((r) => r.type))].filter((t) => !KNOWN_TYPES.has(t))).toEqual([]);
  });

  it("each platform namespace deleted: refused, stateful ones by stateful-namespace, the rest by namespace-contents", () => {
    const namespaces = resources.filter((r) => r.type === "kubernetes_namespace_v1" && r.path.startsWith("platform/"));
    expect(namespaces).toHaveLength(11);
    const result = judge("prod", namespaces.map((r) => change(r, "delete")), facts());
    const byRule = Object.fromEntries(result.violations.map((v) => [v.rule.id, v.hits.map((h) => h.how).sort()]));
    expect(byRule).toEqual({
      "stateful-namespace": ["delete namespace logging", "delete namespace monitoring", "delete namespace rook-ceph", "delete namespace velero"],
      "namespace-contents": ["delete namespace argocd", "delete namespace cert-manager", "delete namespace kyverno", "delete namespace snapshot-controller", "delete namespace tigera-operator", "delete namespace traefik-admin", "delete namespace traefik-public"],
    });
  });

  it("each NetworkPolicy replaced: passes, with one routine note each; updated: passes silently", () => {
    const policies = resources.filter((r) => r.type === "kubernetes_network_policy_v1");
    expect(policies.length).toBeGreaterThan(20);
    const replaced = judge("prod", policies.map((r) => change(r, "replace")), facts());
    expect(replaced.violations).toEqual([]);
    expect(new Set(replaced.routine.map((n) => n.operation.id))).toEqual(new Set(["network-policy-change"]));
    expect(replaced.routine).toHaveLength(policies.length);
    const updated = judge("prod", policies.map((r) => change(r, "update")), facts());
    expect([updated.violations, updated.routine]).toEqual([[], []]);
  });
});
