import { synthWarnings } from "../../lib";
import { buildApp } from "../../stacks/app";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sandboxCopy } from "../helpers/environments";
import { synthEnvironments } from "../helpers/synth";

type Json = Record<string, any>;
const ofType = (stack: Json, type: string): Json[] => Object.values<Json>(stack.resource[type] ?? {}).filter((r) => String(r["//"].metadata.path).includes("/tenants/"));

describe("tenant options", () => {
  it("a tenant that opts down gets that Pod Security level on enforce and warn (audit stays restricted)", () => {
    const env = sandboxCopy();
    env.tenants = [{ name: "agents", stages: ["dev"], podSecurity: { level: "baseline", reason: "the log shipper needs NET_RAW for its health checks" } }];
    const [ns] = ofType(synthEnvironments([env]).stacks.sandbox, "kubernetes_namespace_v1");
    expect(ns.metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "baseline", "pod-security.kubernetes.io/audit": "restricted" });
  });

  it("without OIDC, group bindings are left out (with a synth warning) and CI access stays; ci: false leaves no ServiceAccount nor output", () => {
    const env = sandboxCopy();
    delete env.security.oidc;
    env.tenants = [{ name: "team", stages: ["dev"], groups: { edit: ["team-devs"] } }, { name: "quiet", stages: ["dev"], ci: false }];
    const app = buildApp({ outdir: join(mkdtempSync(join(tmpdir(), "tenants-")), "out"), environments: [env] });
    app.synth();
    expect(synthWarnings(app).filter((w) => w.includes("tenants name directory groups"))).toHaveLength(1);
    const { stacks } = synthEnvironments([env]);
    const bindings = ofType(stacks.sandbox, "kubernetes_role_binding_v1");
    expect(bindings.map((b) => [b.metadata.namespace, b.metadata.name])).toEqual([["team-dev", "ci-edit"]]);
    expect(Object.keys(stacks.sandbox.output).filter((o) => o.startsWith("tenant_"))).toEqual(["tenant_team_kubeconfig"]);
  });

  it("no tenants: no tenant resource at all", () => {
    const env = sandboxCopy();
    delete env.tenants;
    const stack = synthEnvironments([env]).stacks.sandbox;
    const types = Object.keys(stack.resource).filter((t) => ofType(stack, t).length > 0);
    expect(types).toEqual([]);
  });
});
