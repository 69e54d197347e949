/**
 * plan-report on REAL Terraform plans: each scenario synthesizes a small cdktf app of built-in
 * `terraform_data` resources (so cdk.tf.json carries real cdktf metadata paths), applies it with the
 * real Terraform CLI, synthesizes a changed version, and plans it (`plan -out`, `show -json`).
 * One terraform run per scenario, in beforeAll.
 */
import { execFileSync, spawnSync } from "child_process";
import { itWithTool } from "../../tools";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { App, DataResource, LocalBackend, TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { buildStackReport } from "../../../lib/review/plan-report";
import { planMarkdown } from "../../../lib/review/plan-markdown";
import { synthResources } from "../../../lib/review/synth-resources";
import { asPlanJson, type PlanJson } from "../../../lib/review/plan-json";

const ROOT = join(__dirname, "..", "..", "..");
const CLI = join(ROOT, "lib", "review", "plan-report-cli.ts");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const TF_ENV = {
  ...process.env,
  TF_IN_AUTOMATION: "1",
  CHECKPOINT_DISABLE: "1",
  // A fresh HOME in CI has no CLI config; an empty one keeps Terraform quiet and offline.
  TF_CLI_CONFIG_FILE: "/dev/null",
  PLAN_REPORT_ALLOW_DESTRUCTIVE: "",
};
const OLD_SECRET = "old-secret-Zq81";
const NEW_SECRET = "new-secret-Kp44";

type Build = (stack: TerraformStack, version: 1 | 2) => void;

interface Scenario {
  readonly dir: string;
  readonly planFile: string;
  readonly plan: PlanJson;
  /** cdktf.out of the changed version (the head) and of the applied one (the base). */
  readonly headOut: string;
  readonly baseOut: string;
}

/** Synthesizes version 1, applies it, synthesizes version 2, plans it; returns the real plan JSON. */
function scenario(build: Build): Scenario {
  const dir = mkdtempSync(join(tmpdir(), "plan-report-"));
  const work = join(dir, "work");
  mkdirSync(work);
  const synth = (version: 1 | 2): string => {
    const outdir = join(dir, `out-v${version}`);
    const app = new App({ outdir });
    const stack = new TerraformStack(app, "prod");
    // Relative path: cdktf's default local backend path is absolute under the current directory.
    new LocalBackend(stack, { path: "terraform.tfstate" });
    build(stack, version);
    app.synth();
    copyFileSync(join(outdir, "stacks", "prod", "cdk.tf.json"), join(work, "cdk.tf.json"));
    return outdir;
  };
  const tf = (...args: string[]) => execFileSync("terraform", args, { cwd: work, env: TF_ENV, stdio: "pipe" });
  const baseOut = synth(1);
  tf("init", "-input=false", "-no-color");
  tf("apply", "-auto-approve", "-input=false", "-no-color");
  const headOut = synth(2);
  tf("plan", "-input=false", "-no-color", "-out=plan.out");
  const planFile = join(dir, "plan.json");
  writeFileSync(planFile, tf("show", "-json", "plan.out"));
  const plan = asPlanJson(JSON.parse(readFileSync(planFile, "utf8")), planFile);
  if (typeof plan === "string") throw new Error(plan);
  return { dir, planFile, plan, headOut, baseOut };
}

/** A terraform_data resource at construct path `<parent>/<id>`. */
function data(scope: Construct, path: string, props: { input?: unknown; triggersReplace?: unknown }): DataResource {
  const parts = path.split("/");
  let parent: Construct = scope;
  for (const part of parts.slice(0, -1)) parent = (parent.node.tryFindChild(part) as Construct | undefined) ?? new Construct(parent, part);
  return new DataResource(parent, parts[parts.length - 1], props as { input?: Record<string, unknown> });
}

function synthOf(outdir: string) {
  return synthResources(JSON.parse(readFileSync(join(outdir, "stacks", "prod", "cdk.tf.json"), "utf8")));
}

function runCli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(TSX, [CLI, ...args], { encoding: "utf8", env: { ...TF_ENV, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Scenario "everyday change": creates, in-place updates, a replacement, a deletion and a sensitive
 * attribute. Two control-plane terraform_data are replaced too: they are not VMs, so no refusal.
 */
describe("plan-report on a real everyday plan", () => {
  let s: Scenario;
  beforeAll(() => {
    s = scenario((stack, v) => {
      const secret = new TerraformVariable(stack, "secret", { type: "string", sensitive: true, default: v === 1 ? OLD_SECRET : NEW_SECRET });
      data(stack, "workers/node-1", { input: { cpus: v === 1 ? 2 : 4, memory: 8192 } });
      data(stack, "workers/node-2", { input: { cpus: 2 }, triggersReplace: [v === 1 ? "template-a" : "template-b"] });
      if (v === 1) data(stack, "workers/node-3", { input: { cpus: 2 } });
      if (v === 2) data(stack, "workers/node-4", { input: { cpus: 2 } });
      data(stack, "platform/argocd/admin", { input: { user: "admin", password: secret.stringValue } });
      data(stack, "cluster/control-plane/node-1", { triggersReplace: [v] });
      data(stack, "cluster/control-plane/node-2", { triggersReplace: [v] });
      data(stack, "platform/traefik/release", { input: { version: "39.0.0" } });
    });
  });
  afterAll(() => rmSync(s.dir, { recursive: true, force: true }));

  it("counts like GitLab: a replacement is one create and one delete", () => {
    const r = buildStackReport({ stack: "prod", plan: s.plan, synth: synthOf(s.headOut) });
    // creates: node-4 + 3 replacements; updates: node-1, argocd/admin; deletes: node-3 + 3 replacements
    expect(r.report).toEqual({ create: 4, update: 2, delete: 4 });
  });

  itWithTool("jq")("matches GitLab's documented jq filter on the same plan", () => {
    // The filter from GitLab's "Terraform integration in merge requests" page.
    const filter =
      '([.resource_changes[]?.change.actions?]|flatten)|{"create":(map(select(.=="create"))|length),"update":(map(select(.=="update"))|length),"delete":(map(select(.=="delete"))|length)}';
    const jq = JSON.parse(execFileSync("jq", ["-c", filter, s.planFile], { encoding: "utf8" }));
    expect(buildStackReport({ stack: "prod", plan: s.plan, synth: synthOf(s.headOut) }).report).toEqual(jq);
  });

  it("names resources by construct path, with actions and changed attribute names", () => {
    const r = buildStackReport({ stack: "prod", plan: s.plan, synth: synthOf(s.headOut), baseSynth: synthOf(s.baseOut) });
    const byPath = Object.fromEntries(r.changes.map((c) => [c.path, c]));
    expect(byPath["workers/node-1"].action).toBe("update");
    expect(byPath["workers/node-1"].changed.map((a) => a.name)).toEqual(["input.cpus", "output"]);
    expect(byPath["workers/node-2"].action).toBe("replace");
    expect(byPath["workers/node-2"].replaceReasons).toEqual(["triggers_replace"]);
    expect(byPath["workers/node-3"]).toMatchObject({ action: "delete", pathFromMetadata: true });
    expect(byPath["workers/node-4"].action).toBe("create");
    expect(byPath["platform/argocd/admin"].changed).toContainEqual({ name: "input.password", sensitive: true, unknown: false });
    expect(byPath["platform/traefik/release"]).toBeUndefined(); // no-op is not news
    expect(r.violations).toEqual([]); // terraform_data is not a VM, wherever it sits
  });

  it("guesses the path of a deleted resource from its cdktf name when no base synth is given", () => {
    const r = buildStackReport({ stack: "prod", plan: s.plan, synth: synthOf(s.headOut) });
    expect(r.changes.find((c) => c.action === "delete")).toMatchObject({ path: "workers/node-3", pathFromMetadata: false });
  });

  it("puts destructive changes first and never prints a sensitive value", () => {
    const md = planMarkdown([buildStackReport({ stack: "prod", plan: s.plan, synth: synthOf(s.headOut) })], { overridden: false });
    expect(md).toContain("| prod | 4 | 2 | 4 | 3 |");
    expect(md).toMatch(/`workers\/node-2`: \*\*replace\*\*; forced by `triggers_replace`/);
    expect(md).toMatch(/`input.password` \(sensitive\)/);
    expect(md.indexOf("Replacements and deletions")).toBeLessThan(md.indexOf("Creates and updates"));
    expect(md.indexOf("`workers/node-3`")).toBeLessThan(md.indexOf("`workers/node-2`")); // within a construct: deletions, then replacements
    expect(md).not.toContain(OLD_SECRET);
    expect(md).not.toContain(NEW_SECRET);
    expect(md).not.toContain("Refused");
  });

  it("CLI: writes the GitLab report and the Markdown, prints the Markdown, exits 0", () => {
    const report = join(s.dir, "out", "prod.json");
    const markdown = join(s.dir, "out", "plan.md");
    const r = runCli(["--plan", `prod=${s.planFile}`, "--synth-dir", s.headOut, "--report", report, "--report-dir", join(s.dir, "per-stack"), "--markdown", markdown]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(report, "utf8"))).toEqual({ create: 4, update: 2, delete: 4 });
    expect(JSON.parse(readFileSync(join(s.dir, "per-stack", "prod.tfreport.json"), "utf8"))).toEqual({ create: 4, update: 2, delete: 4 });
    expect(readFileSync(markdown, "utf8")).toBe(r.stdout);
    expect(r.stdout + r.stderr).not.toContain(NEW_SECRET);
  });

  it("CLI: user mistakes give one clear line and exit 2", () => {
    const missing = runCli(["--plan", `prod=${join(s.dir, "nope.json")}`]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^error: cannot read .*nope\.json \(no such file\)/);
    expect(missing.stderr).not.toMatch(/\n\s+at /); // no stack trace
    writeFileSync(join(s.dir, "bad.json"), "{ not json");
    const bad = runCli(["--plan", `prod=${join(s.dir, "bad.json")}`, "--synth-dir", s.headOut]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/bad\.json is not valid JSON/);
    const noSynth = runCli(["--plan", `prod=${s.planFile}`, "--synth-dir", join(s.dir, "nowhere")]);
    expect(noSynth.status).toBe(2);
    expect(noSynth.stderr).toMatch(/cdktf synth of stack "prod" \(run `npm run synth` first\)/);
    expect(runCli(["--plan", "prod"]).stderr).toMatch(/--plan expects <stack>=<file>/);
    expect(runCli(["--frobnicate"]).stderr).toMatch(/unknown option --frobnicate/);
  });
});

/**
 * Provider resources cannot be planned here (no provider downloads), so this scenario plans
 * terraform_data whose `input` holds the attributes the rules read (`disk`, `chart`), then lets each
 * terraform_data stand in for the provider type named in STAND_IN: its type is set and its
 * `input` becomes its attributes. Actions, addresses, replace_paths and cdktf paths stay real.
 */
const STAND_IN: Record<string, string> = {
  "cluster/control-plane/node-1": "vsphere_virtual_machine",
  "cluster/control-plane/node-2": "vsphere_virtual_machine",
  "storage/osd/node-1": "vsphere_virtual_machine",
  "storage/osd/node-2": "vsphere_virtual_machine",
  "workers/node-1": "vsphere_virtual_machine",
  "workers/node-2": "vsphere_virtual_machine",
  "cluster/pki/ca-key": "tls_private_key",
  "cluster/pki/bootstrap-token": "random_password",
  "platform/grafana/admin-password": "random_password",
  "platform/rook-ceph/release": "helm_release",
  "platform/traefik/release": "helm_release",
};

function standIn(plan: PlanJson, synth: ReturnType<typeof synthResources>, only: (path: string) => boolean): PlanJson {
  const pathOf = (rc: { type: string; name: string }) => synth.get(`${rc.type}.${rc.name}`)?.path ?? "";
  const input = (v: unknown) => (v && typeof v === "object" ? ((v as Record<string, unknown>).input ?? {}) : v);
  return {
    ...plan,
    resource_changes: (plan.resource_changes ?? []).map((rc) => {
      const type = STAND_IN[pathOf(rc)];
      if (!type || !only(pathOf(rc))) return rc;
      const c = rc.change;
      return {
        ...rc,
        type,
        change: { ...c, before: input(c.before), after: input(c.after), before_sensitive: input(c.before_sensitive), after_sensitive: input(c.after_sensitive) },
      };
    }),
  };
}

describe("blast radius on a real plan that replaces and deletes the dangerous things", () => {
  let s: Scenario;
  beforeAll(() => {
    s = scenario((stack, v) => {
      const osDisk = { unit_number: 0, size: 40 };
      const dataDisk = { unit_number: 1, size: 500 };
      for (const n of ["node-1", "node-2"]) {
        data(stack, `cluster/control-plane/${n}`, { input: { disk: [osDisk] }, triggersReplace: [v] });
        data(stack, `storage/osd/${n}`, { input: { disk: [osDisk, dataDisk] }, triggersReplace: [v] });
        data(stack, `workers/${n}`, { input: { disk: [osDisk] }, triggersReplace: [v] });
      }
      data(stack, "cluster/pki/ca-key", { input: { algorithm: "ECDSA" }, triggersReplace: [v] });
      data(stack, "cluster/pki/bootstrap-token", { input: { length: 16 }, triggersReplace: [v] });
      data(stack, "platform/grafana/admin-password", { input: { length: 24 }, triggersReplace: [v] });
      if (v === 1) {
        data(stack, "platform/rook-ceph/release", { input: { chart: "oci://registry.example.internal/charts/rook-ceph" } });
        data(stack, "platform/traefik/release", { input: { chart: "traefik" } });
      }
    });
  });
  afterAll(() => rmSync(s.dir, { recursive: true, force: true }));

  const violations = (only: (path: string) => boolean) => {
    const synth = synthOf(s.headOut);
    const baseSynth = synthOf(s.baseOut);
    const plan = standIn(s.plan, new Map([...baseSynth, ...synth]), only);
    return buildStackReport({ stack: "prod", plan, synth, baseSynth }).violations.map((v) => [v.rule.id, v.changes.map((c) => c.path).sort()]);
  };

  it("without stand-ins nothing is refused: the rules key on resource types, not on names alone", () => {
    expect(violations(() => false)).toEqual([]);
  });

  it("refuses two control-plane VMs, two VMs with a Ceph data disk, the PKI and Rook", () => {
    expect(violations(() => true)).toEqual([
      ["control-plane-vms", ["cluster/control-plane/node-1", "cluster/control-plane/node-2"]],
      ["ceph-data-disk-vms", ["storage/osd/node-1", "storage/osd/node-2"]],
      ["cluster-pki", ["cluster/pki/bootstrap-token", "cluster/pki/ca-key"]],
      ["stateful-helm-release", ["platform/rook-ceph/release"]],
    ]);
  });

  it("tolerates one control-plane VM, one data-disk VM, any number of plain workers, a non-PKI random and Traefik", () => {
    const ok = ["cluster/control-plane/node-1", "storage/osd/node-2", "workers/", "platform/grafana/", "platform/traefik/"];
    expect(violations((p) => ok.some((o) => p.startsWith(o)))).toEqual([]);
  });

  it("CLI: exits 1 with the offending resources and how to override; the flag or the variable accepts it", () => {
    const synth = synthOf(s.headOut);
    const planFile = join(s.dir, "stand-in.json");
    writeFileSync(planFile, JSON.stringify(standIn(s.plan, new Map([...synthOf(s.baseOut), ...synth]), () => true)));
    const args = ["--plan", `prod=${planFile}`, "--synth-dir", s.headOut, "--base-synth-dir", s.baseOut];

    const refused = runCli(args);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("Refusing this plan");
    expect(refused.stderr).toMatch(/prod: 2 × control-plane-vms \(at most 1 per plan\)/);
    expect(refused.stderr).toMatch(/replace cluster\/control-plane\/node-1 \(terraform_data\.cluster_control-plane_node-1_[0-9A-F]{8}\)/);
    expect(refused.stderr).toMatch(/delete platform\/rook-ceph\/release/);
    expect(refused.stderr).toContain("--allow-destructive");
    expect(refused.stderr).toContain("PLAN_REPORT_ALLOW_DESTRUCTIVE=1");
    expect(refused.stdout).toContain("Plan refused");
    expect(refused.stdout).toMatch(/🔥 `-\/\+` `cluster\/control-plane\/node-1`/);

    expect(runCli([...args, "--allow-destructive"]).status).toBe(0);
    const byEnv = runCli(args, { PLAN_REPORT_ALLOW_DESTRUCTIVE: "1" });
    expect(byEnv.status).toBe(0);
    expect(byEnv.stdout).toContain("accepted by override");
    expect(runCli(args, { PLAN_REPORT_ALLOW_DESTRUCTIVE: "0" }).status).toBe(1);
  });
});
