/**
 * The import blocks `platform.adoptExistingNamespaces` synthesizes, planned by real Terraform. The kubernetes
 * provider cannot be downloaded here, so each `kubernetes_namespace_v1` address plays a `terraform_data` (which
 * Terraform 1.11 can import by any id); the import blocks are the synthesized ones, retargeted. What this shows is
 * Terraform's own import semantics: planned as imports while the namespaces are not in state, a no-op once they are.
 */
import { execFileSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { NAMESPACES_NEVER_ADOPTED, PLATFORM_RELEASE_NAMESPACES } from "../../../lib/platform/namespaces";
import { describeWithTool } from "../../tools";
import { environment } from "../../platform/fixtures";
import { synthPlatform } from "../../platform/synth";

const TF_ENV = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" };

describeWithTool("terraform", ["version"])("adopting namespaces: the synthesized import blocks under real Terraform", () => {
  const adopted = synthPlatform(environment("prod", { platform: { adoptExistingNamespaces: true } }));
  const blocks = (adopted.json.import as { to: string; id: string }[]).map((b) => ({ ...b, to: b.to.replace(/^kubernetes_namespace_v1\./, "terraform_data.") }));
  const names = blocks.map((b) => b.to.split(".")[1]);
  const resources = { terraform_data: Object.fromEntries(names.map((n) => [n, { input: n }])) };
  let dir: string;
  const tf = (...args: string[]) => execFileSync("terraform", args, { cwd: dir, env: TF_ENV, stdio: "pipe" }).toString();
  const write = (body: unknown) => writeFileSync(join(dir, "main.tf.json"), JSON.stringify(body));
  const plannedImports = () => {
    tf("plan", "-input=false", "-no-color", "-out=plan.out");
    const plan = JSON.parse(tf("show", "-json", "plan.out"));
    return (plan.resource_changes ?? []).filter((rc: any) => rc.change.importing).map((rc: any) => [rc.address, rc.change.importing.id]);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "ns-adopt-"));
    tf("init", "-input=false", "-no-color");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("the upgrade plan (namespaces not yet in state) imports every platform namespace Helm used to create, by its name", () => {
    // kyverno, logging, velero and snapshot-controller came after Terraform owned the namespaces: there is nothing to
    // import, and an import of a missing namespace fails the plan.
    expect(NAMESPACES_NEVER_ADOPTED).toEqual(["kyverno", "logging", "velero", "snapshot-controller"]);
    expect(blocks.map((b) => b.id).sort()).toEqual(PLATFORM_RELEASE_NAMESPACES.filter((ns) => !NAMESPACES_NEVER_ADOPTED.includes(ns)).sort());
    write({ resource: resources, import: blocks });
    expect(plannedImports().sort()).toEqual(blocks.map((b) => [b.to, b.id]).sort());
  });

  it("once they are in state, the same import blocks plan nothing: leaving the switch on is harmless", () => {
    write({ resource: resources });
    tf("apply", "-auto-approve", "-input=false", "-no-color");
    write({ resource: resources, import: blocks });
    expect(plannedImports()).toEqual([]);
    // -detailed-exitcode: 0 = no changes at all.
    expect(() => tf("plan", "-input=false", "-no-color", "-detailed-exitcode")).not.toThrow();
  });
});
