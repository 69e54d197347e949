/**
 * The gate against the tenants the real prod stack synthesizes: a deleted tenant namespace is refused, quotas,
 * limits, CI identities and the PriorityClass are known (no unknown-type refusal), a CI token renewal and a
 * replaced quota pass with their routine notes, and the join token's rotation keeps its own note.
 */
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { buildApp } from "../../stacks/app";
import { prod } from "../../stacks/prod";
import { judge } from "../../lib/review/blast-radius";
import type { PlannedChange } from "../../lib/review/planned-change";
import { loadSynthDir } from "../../lib/review/synth-sources";
import { synthResources, type SynthResource } from "../../lib/review/synth-resources";

describe("the gate on the real stack's tenants", () => {
  let dir: string;
  let resources: SynthResource[];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "review-tenants-"));
    buildApp({ outdir: dir, environments: [prod] }).synth();
    resources = [...synthResources(loadSynthDir(dir).get("prod")).values()];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const change = (r: SynthResource, action: PlannedChange["action"], replaceReasons: string[] = []): PlannedChange => ({
    address: r.address, type: r.type, path: r.path, pathFromMetadata: true, action, createBeforeDestroy: false,
    changed: [], replaceReasons, before: r.config, after: action === "delete" ? null : r.config,
  });
  const facts = () => ({ statefulNamespaces: new Set<string>() });
  const tenantsOf = (type: string) => resources.filter((r) => r.type === type && r.path.startsWith("tenants/"));

  it("refuses deleting a tenant namespace (namespace-contents: everything in it goes)", () => {
    const namespaces = tenantsOf("kubernetes_namespace_v1");
    expect(namespaces).toHaveLength(3);
    const result = judge("prod", namespaces.map((r) => change(r, "delete")), facts());
    expect(result.violations.map((v) => [v.rule.id, v.hits.map((h) => h.how).sort()])).toEqual([
      ["namespace-contents", ["delete namespace billing", "delete namespace reports", "delete namespace shop"]],
    ]);
  });

  it("lets every other tenant resource be deleted without an unknown-type refusal; RoleBindings go to the second reviewer", () => {
    const others = resources.filter((r) => r.path.startsWith("tenants/") && r.type !== "kubernetes_namespace_v1" && r.type !== "helm_release");
    expect(new Set(others.map((r) => r.type))).toEqual(
      new Set([
        "kubernetes_priority_class_v1", "kubernetes_resource_quota_v1", "kubernetes_limit_range_v1", "kubernetes_network_policy_v1", "kubernetes_role_binding_v1",
        "kubernetes_service_account_v1", "kubernetes_token_request_v1", "time_rotating", "terraform_data",
        // billing's Argo CD repository credentials: written again from TF_VAR_tenant_billing_repo_password (regenerated label).
        "kubernetes_secret_v1",
      ]),
    );
    const result = judge("prod", others.map((r) => change(r, "delete")), facts());
    expect(result.violations).toEqual([]);
    expect(new Set(result.security.map((s) => s.review.id))).toEqual(new Set(["rbac-grants"]));
    // The GitLab CI binding (shop) is a grant like any other: a second reviewer reads it.
    const gitlab = tenantsOf("kubernetes_role_binding_v1").filter((r) => r.path.endsWith("gitlab-ci-binding"));
    expect(gitlab).toHaveLength(1);
    expect(judge("prod", gitlab.map((r) => change(r, "create")), facts()).security.map((s) => s.review.id)).toEqual(["rbac-grants"]);
  });

  it("a CI token renewal (time_rotating due, its keeper and the TokenRequest replaced) is routine, and says so", () => {
    const renewal = [...tenantsOf("time_rotating"), ...tenantsOf("terraform_data"), ...tenantsOf("kubernetes_token_request_v1")].map((r) => change(r, "replace"));
    expect(renewal).toHaveLength(6); // billing and reports (shop deploys with GitLab CI tokens)
    const result = judge("prod", renewal, facts());
    expect(result.violations).toEqual([]);
    expect(result.routine.map((n) => n.operation.id)).toEqual(renewal.map(() => "ci-token-renewal"));
  });

  it("the join token's time_rotating keeps the join-token note", () => {
    const joinRotation = resources.filter((r) => r.type === "time_rotating" && r.path.startsWith("cluster/"));
    expect(judge("prod", joinRotation.map((r) => change(r, "replace")), facts()).routine.map((n) => n.operation.id)).toEqual(["join-token-rotation"]);
  });

  it("a replaced or deleted quota or LimitRange passes with the tenant-limits-change note; an update passes silently", () => {
    const limits = [...tenantsOf("kubernetes_resource_quota_v1"), ...tenantsOf("kubernetes_limit_range_v1")];
    const replaced = judge("prod", limits.map((r) => change(r, "replace")), facts());
    expect([replaced.violations, new Set(replaced.routine.map((n) => n.operation.id))]).toEqual([[], new Set(["tenant-limits-change"])]);
    const updated = judge("prod", limits.map((r) => change(r, "update")), facts());
    expect([updated.violations, updated.routine]).toEqual([[], []]);
  });
});
