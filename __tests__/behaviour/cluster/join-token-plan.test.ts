import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeWithTool } from "../../tools";
import { prodCopy } from "../../helpers/environments";
import { resourcesByPath, synthEnvironments } from "../../helpers/synth";

const TERRAFORM = "/usr/local/bin/terraform";

/**
 * A token rotation, planned by real Terraform 1.11 (providers cannot be downloaded here): one
 * `terraform_data` stand-in per resource of the chain time_rotating → random token → VM user-data →
 * readiness gate → bootstrap-token Secret, with the lifecycle blocks and dependencies of the synthesized
 * prod stack. `triggers_replace` plays what forces a replacement: the rotation being due, the keepers,
 * a node's revision, the Secret's name (ForceNew metadata.name).
 */
describeWithTool(TERRAFORM, ["version"])("a join-token rotation, planned by real Terraform", () => {
  const prod = synthEnvironments([prodCopy()]).stacks.prod;
  const vms = resourcesByPath(prod, "vsphere_virtual_machine");
  const secret = resourcesByPath(prod, "kubernetes_secret_v1")["cluster/join-token/secret"];
  const gate = resourcesByPath(prod, "terraform_data")["cluster/api-ready/wait"];
  const [cp, worker] = [vms["cluster/control-plane/node-1"], vms["cluster/workers-general/node-1"]];
  const env = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" };
  const dirs: string[] = [];

  /** The chain as Terraform JSON; `secretLifecycle` defaults to the synthesized one. */
  function config(secretLifecycle: unknown = secret.lifecycle) {
    const vm = (source: any) => ({
      triggers_replace: ["${var.revision}"],
      // The user-data carries the token (as the real extra_config does), and is ignored as synthesized.
      input: { name: source.name, extra_config: { "guestinfo.userdata": "${terraform_data.token_id.output}" } },
      lifecycle: { ignore_changes: source.lifecycle.ignore_changes.map((path: string) => `input.${path}`) },
    });
    const token = { triggers_replace: { rotation: "${terraform_data.rotation.id}" }, input: "${terraform_data.rotation.id}" };
    return {
      variable: { rotation: { type: "number" }, revision: { type: "number" } },
      resource: {
        terraform_data: {
          rotation: { triggers_replace: ["${var.rotation}"] },
          token_id: token,
          cp: vm(cp),
          worker: vm(worker),
          gate: { depends_on: ["terraform_data.cp", "terraform_data.worker"], triggers_replace: { control_plane_1: "${terraform_data.cp.id}" } },
          secret: {
            input: { name: "bootstrap-token-${terraform_data.token_id.output}" },
            triggers_replace: ["bootstrap-token-${terraform_data.token_id.output}"],
            depends_on: ["terraform_data.gate"],
            ...(secretLifecycle ? { lifecycle: secretLifecycle } : {}),
          },
        },
      },
    };
  }

  /** Applies rotation 1 / revision 0, then plans `next`: the actions per stand-in. */
  function planAfterApply(next: { rotation: number; revision: number }, secretLifecycle?: unknown, unknownOut: Record<string, unknown> = {}): Record<string, string> {
    const dir = mkdtempSync(join(tmpdir(), "join-token-plan-"));
    dirs.push(dir);
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(config(secretLifecycle)));
    const tf = (...args: string[]) => execFileSync(TERRAFORM, [`-chdir=${dir}`, ...args, "-no-color"], { env, encoding: "utf8" });
    const vars = (v: { rotation: number; revision: number }) => ["-var", `rotation=${v.rotation}`, "-var", `revision=${v.revision}`];
    tf("init", "-input=false");
    tf("apply", "-auto-approve", "-input=false", ...vars({ rotation: 1, revision: 0 }));
    tf("plan", "-input=false", "-out=plan.bin", ...vars(next));
    const plan = JSON.parse(tf("show", "-json", "plan.bin"));
    for (const r of plan.resource_changes) unknownOut[r.name] = r.change.after_unknown;
    return Object.fromEntries(plan.resource_changes.map((r: any) => [r.name, r.change.actions.join("+")]));
  }

  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("the stand-ins follow the synthesized stack: the Secret waits for the gate, the gate for the VMs, user-data is ignored", () => {
    expect(secret.depends_on).toEqual([`terraform_data.${gate["//"].metadata.uniqueId}`]);
    expect(gate.depends_on).toEqual(expect.arrayContaining([`vsphere_virtual_machine.${cp["//"].metadata.uniqueId}`, `vsphere_virtual_machine.${worker["//"].metadata.uniqueId}`]));
    expect(cp.lifecycle.ignore_changes).toContain("extra_config");
    // A worker's user-data is its pool's local with its own values put in (lib/cluster/pool-cloud-config.ts).
    const local = /local\.([\w-]+)/.exec(worker.extra_config["guestinfo.userdata"])?.[1] ?? "";
    expect(prod.locals[local]).toContain("random_string.cluster_pki_bootstrap-token-id_");
  });

  it("a due rotation replaces the token and its Secret; no running VM changes, and the gate stays", () => {
    expect(planAfterApply({ rotation: 2, revision: 0 })).toEqual({
      rotation: "delete+create",
      token_id: "delete+create",
      secret: "delete+create",
      cp: "no-op",
      worker: "no-op",
      gate: "no-op",
    });
  });

  it("a rebuild in the same plan as a rotation: the node gets the new token and its old VM still goes first", () => {
    const unknown: Record<string, any> = {};
    expect(planAfterApply({ rotation: 2, revision: 1 }, undefined, unknown)).toMatchObject({ token_id: "delete+create", cp: "delete+create", worker: "delete+create", secret: "delete+create" });
    // The rebuilt VM's user-data is the new token's (known after apply), not the old one.
    expect(unknown.worker.input.extra_config["guestinfo.userdata"]).toBe(true);
  });

  it("why the Secret is not create_before_destroy: Terraform would force that onto every VM behind the readiness gate", () => {
    expect(secret.lifecycle?.create_before_destroy).toBeUndefined();
    const forced = planAfterApply({ rotation: 1, revision: 1 }, { create_before_destroy: true });
    expect(forced.cp).toBe("create+delete"); // a second VM with the same name and IP before the old one is gone
  });
});
