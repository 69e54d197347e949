/**
 * plan-report's input: only a real plan is judged. A state, a bare `{"format_version":"1.2"}`, a
 * future format or malformed entries exit 2 with one clear line (never 1, which means "refused",
 * never a stack trace, never "empty plan, fine"). A plan labelled with the wrong stack is warned about.
 */
import { spawnSync } from "child_process";
import { mkdirSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { describeWithTool } from "../../tools";
import { planStandIns, type StandIn, type StandInPlan } from "../../review/stand-in-plan";
import { asPlanJson } from "../../../lib/review/plan-json";

const ROOT = join(__dirname, "..", "..", "..");
const CLI = join(ROOT, "lib", "review", "plan-report-cli.ts");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

const vm = (n: number, cpus: number): StandIn => ({
  as: "vsphere_virtual_machine",
  path: `cluster/workers-general/node-${n}`,
  input: { name: `prod-general-${n}`, num_cpus: cpus, cpu_hot_add_enabled: true, disk: [{ label: "disk0", unit_number: 0, size: 100 }] },
});

function runCli(args: string[]) {
  const r = spawnSync(TSX, [CLI, ...args], { encoding: "utf8", env: { ...process.env, PLAN_REPORT_ALLOW_DESTRUCTIVE: "" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describeWithTool("terraform", ["version"])("plan-report input", () => {
  let p: StandInPlan;
  let outDir: string;
  const file = (name: string, content: unknown) => {
    const f = join(p.dir, name);
    writeFileSync(f, typeof content === "string" ? content : JSON.stringify(content));
    return f;
  };
  beforeAll(() => {
    p = planStandIns({ resources: { w1: vm(1, 4), w2: vm(2, 4) } }, { resources: { w1: vm(1, 8), w2: vm(2, 4) } });
    // Two stacks' synths: prod's own, and dev's (same addresses, as in the real app; dev- names).
    outDir = join(p.dir, "cdktf.out");
    for (const stack of ["prod", "dev"]) {
      mkdirSync(join(outDir, "stacks", stack), { recursive: true });
      writeFileSync(join(outDir, "stacks", stack, "cdk.tf.json"), JSON.stringify(p.synthJson).replace(/prod-/g, `${stack}-`));
    }
  });
  afterAll(() => rmSync(p.dir, { recursive: true, force: true }));

  const refusedAsInput = (plan: unknown, expected: RegExp) => {
    const r = runCli(["--plan", `prod=${file("input.json", plan)}`, "--synth-dir", outDir]);
    expect(r.stderr).toMatch(expected);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr.trim().split("\n")).toHaveLength(1); // one line, no stack trace
    expect(r.status).toBe(2);
  };

  it("refuses a state (terraform show -json without a plan file) as input", () => {
    refusedAsInput(p.stateJson, /not a Terraform plan: it looks like `terraform show -json` of a state/);
  });

  it("refuses a bare format_version (CLI) and an unsupported or missing format", () => {
    refusedAsInput({ format_version: "1.2" }, /neither planned_values nor resource_changes/);
    expect(asPlanJson({ ...p.rawPlan, format_version: "2.0" }, "p.json")).toMatch(/^p\.json: unsupported plan format_version "2.0" \(supported: 1\.x/);
    expect(asPlanJson({ ...p.rawPlan, format_version: undefined }, "p.json")).toMatch(/unsupported plan format_version null/);
    expect(typeof asPlanJson(p.rawPlan, "p.json")).toBe("object");
  });

  it("refuses malformed entries, naming them: no change, null (CLI), string actions", () => {
    const entries = p.rawPlan.resource_changes!;
    const { change: _dropped, ...noChange } = entries[0];
    refusedAsInput({ ...p.rawPlan, resource_changes: [entries[0], null] }, /resource_changes\[1\] is null, not an object/);
    const problem = (resource_changes: unknown) => asPlanJson({ ...p.rawPlan, resource_changes }, "p.json");
    expect(problem([noChange])).toMatch(/resource_changes\[0\] \(terraform_data\.w1\) has no change object/);
    expect(problem([{ ...entries[0], change: { ...entries[0].change, actions: "delete" } }])).toMatch(
      /resource_changes\[0\] \(terraform_data\.w1\): change\.actions "delete" is not a list of Terraform actions/,
    );
    expect(problem([{ ...entries[0], change: { ...entries[0].change, actions: ["explode"] } }])).toMatch(/change\.actions \["explode"\]/);
    expect(problem([{ ...entries[0], change: { ...entries[0].change, replace_paths: "input" } }])).toMatch(/change\.replace_paths is not a list of attribute paths/);
    expect(problem([{ ...entries[0], previous_address: 7 }])).toMatch(/previous_address is not a string/);
    expect(problem("none")).toMatch(/resource_changes is not a list/);
    expect(problem(Array(8).fill(null))).toMatch(/resource_changes\[4\] is null, not an object; and 3 more$/);
  });

  it("accepts the real plan under its own stack, silently", () => {
    const r = runCli(["--plan", `prod=${file("plan.json", p.plan)}`, "--synth-dir", outDir]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/`cluster\/workers-general\/node-1`: \*\*update\*\*/);
  });

  it("warns (stderr and the MR note) when a prod plan is given as --plan dev=", () => {
    const r = runCli(["--plan", `dev=${file("plan.json", p.plan)}`, "--synth-dir", outDir]);
    expect(r.stderr).toMatch(/^warning: the plan given as --plan dev=\.\.\. does not look like a plan of stack "dev": 2 planned name\(s\) differ from its synth \(vsphere_virtual_machine\.w1 is "prod-general-1" in the plan, "dev-general-1" in the synth/);
    expect(r.stdout).toMatch(/> ⚠️ \*\*Check the input:\*\* the plan given as --plan dev=/);
    expect(r.status).toBe(0); // a warning, not a refusal: the gate itself still judged the plan
  });
});
