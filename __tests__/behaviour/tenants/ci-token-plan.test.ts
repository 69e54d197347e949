import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeWithTool } from "../../tools";
import { prodCopy } from "../../helpers/environments";
import { resourcesByPath, synthEnvironments } from "../../helpers/synth";

const TERRAFORM = "/usr/local/bin/terraform";

/**
 * A CI token renewal, planned by real Terraform 1.11 (providers cannot be downloaded here): `terraform_data`
 * stand-ins for the chain time_rotating → keeper → TokenRequest, with the synthesized keeper's triggers and the
 * token's lifecycle. A due time_rotating either leaves the state on refresh (its Read removes it: the plan
 * creates it) or is replaced (a plan without refresh); both must renew the token.
 */
describeWithTool(TERRAFORM, ["version"])("a CI token renewal, planned by real Terraform", () => {
  const prod = synthEnvironments([prodCopy()]).stacks.prod;
  const base = "tenants/billing/prod/ci";
  const token = resourcesByPath(prod, "kubernetes_token_request_v1")[`${base}/token`];
  const keeper = resourcesByPath(prod, "terraform_data")[`${base}/renewal`];
  const rotation = resourcesByPath(prod, "time_rotating")[`${base}/rotation`];
  const env = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" };
  const dirs: string[] = [];
  const rename = (text: string) =>
    text
      .replace(`time_rotating.${rotation["//"].metadata.uniqueId}`, "terraform_data.rotation")
      .replace(`terraform_data.${keeper["//"].metadata.uniqueId}`, "terraform_data.keeper");

  /** Applies, makes the rotation due (state rm, or a new trigger), and plans: the actions per stand-in. */
  function renewal(due: "removed-on-refresh" | "replaced", tokenLifecycle: unknown = token.lifecycle): Record<string, string> {
    const dir = mkdtempSync(join(tmpdir(), "ci-token-plan-"));
    dirs.push(dir);
    const config = {
      variable: { rotation: { type: "number" } },
      resource: {
        terraform_data: {
          rotation: { triggers_replace: ["${var.rotation}"] },
          keeper: JSON.parse(rename(JSON.stringify({ triggers_replace: keeper.triggers_replace }))),
          token: { input: "token", lifecycle: JSON.parse(rename(JSON.stringify(tokenLifecycle))) },
        },
      },
    };
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(config));
    const tf = (...args: string[]) => execFileSync(TERRAFORM, [`-chdir=${dir}`, ...args, "-no-color"], { env, encoding: "utf8" });
    tf("init", "-input=false");
    tf("apply", "-auto-approve", "-input=false", "-var", "rotation=1");
    if (due === "removed-on-refresh") tf("state", "rm", "terraform_data.rotation");
    tf("plan", "-input=false", "-out=plan.bin", "-var", `rotation=${due === "replaced" ? 2 : 1}`);
    const plan = JSON.parse(tf("show", "-json", "plan.bin"));
    return Object.fromEntries(plan.resource_changes.map((r: any) => [r.name, r.change.actions.join("+")]));
  }

  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("the stand-ins follow the synthesized chain: token <- keeper <- rotation id", () => {
    expect(rename(JSON.stringify(token.lifecycle))).toBe(JSON.stringify({ replace_triggered_by: ["terraform_data.keeper"] }));
    expect(rename(JSON.stringify(keeper.triggers_replace))).toBe(JSON.stringify({ rotation: "${terraform_data.rotation.id}" }));
  });

  it.each(["removed-on-refresh", "replaced"] as const)("a due rotation (%s) renews the token", (due) => {
    expect(renewal(due)).toEqual({ rotation: due === "replaced" ? "delete+create" : "create", keeper: "delete+create", token: "delete+create" });
  });

  it("why the keeper: replace_triggered_by on the rotation itself ignores a rotation the refresh removed", () => {
    const direct = { replace_triggered_by: [`time_rotating.${rotation["//"].metadata.uniqueId}`] };
    expect(renewal("removed-on-refresh", direct)).toEqual({ rotation: "create", keeper: "delete+create", token: "no-op" });
  });
});
