import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeWithTool } from "../../tools";
import { environment } from "../../platform/fixtures";
import { synthPlatform } from "../../platform/synth";

/** Issue 18 item 7: uninstalling the Calico CRD release wipes the pod network. */
describe("the Calico CRD release", () => {
  const lifecycleOf = (tier: "sandbox" | "dev" | "prod", protectPodNetwork?: boolean) =>
    synthPlatform(environment(tier, { platform: protectPodNetwork === undefined ? {} : { protectPodNetwork } })).releases["calico-crds"].raw.lifecycle;

  it.each(["dev", "prod"] as const)("cannot be destroyed or replaced by Terraform on %s (prevent_destroy)", (tier) => {
    expect(lifecycleOf(tier)).toEqual({ prevent_destroy: true });
  });

  it("stays destroyable on sandbox", () => {
    expect(lifecycleOf("sandbox")).toBeUndefined();
  });

  it("is unprotected for the one merge request that destroys an environment on purpose (platform.protectPodNetwork: false)", () => {
    expect(lifecycleOf("prod", false)).toBeUndefined();
    expect(lifecycleOf("sandbox", true)).toEqual({ prevent_destroy: true });
  });

  it("is, with the VolumeSnapshot CRD release, the only release Terraform protects this way (the others are guarded by the review gate)", () => {
    const protectedReleases = Object.values(synthPlatform(environment("prod")).releases).filter((r) => (r.raw.lifecycle as any)?.prevent_destroy);
    expect(protectedReleases.map((r) => r.name).sort()).toEqual(["calico-crds", "snapshot-controller"]);
  });
});

/**
 * The synthesized lifecycle block on a terraform_data stand-in, planned by real Terraform: it stops
 * `destroy` and a replacement, but NOT a plan whose configuration no longer has the release (Terraform
 * forgets the lifecycle with the block): that case is the review gate's `pod-network-crds` rule.
 */
describeWithTool("/usr/local/bin/terraform", ["version"])("prevent_destroy under real Terraform", () => {
  const lifecycle = synthPlatform(environment("prod")).releases["calico-crds"].raw.lifecycle;
  const dir = mkdtempSync(join(tmpdir(), "calico-crds-"));
  const env = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
  const tf = (...args: string[]) => spawnSync("/usr/local/bin/terraform", [`-chdir=${dir}`, ...args, "-no-color", "-input=false"], { env, encoding: "utf8" });
  const write = (resources: object) => writeFileSync(join(dir, "main.tf.json"), JSON.stringify({ resource: { terraform_data: resources } }));

  beforeAll(() => {
    write({ calico_crds: { input: "v3.32.1", triggers_replace: ["v3.32.1"], lifecycle } });
    expect(tf("init").status).toBe(0);
    expect(tf("apply", "-auto-approve").status).toBe(0);
  });

  it("refuses terraform destroy", () => {
    const plan = tf("plan", "-destroy");
    expect([plan.status, plan.stderr]).toEqual([1, expect.stringContaining("Instance cannot be destroyed")]);
  });

  it("refuses a replacement", () => {
    write({ calico_crds: { input: "v3.33.0", triggers_replace: ["v3.33.0"], lifecycle } });
    const plan = tf("plan");
    expect([plan.status, plan.stderr]).toEqual([1, expect.stringContaining("Instance cannot be destroyed")]);
  });

  it("does not stop a configuration without the release (why the review gate refuses that plan)", () => {
    writeFileSync(join(dir, "main.tf.json"), "{}");
    const plan = tf("plan");
    expect([plan.status, plan.stdout]).toEqual([0, expect.stringContaining("1 to destroy")]);
  });
});
