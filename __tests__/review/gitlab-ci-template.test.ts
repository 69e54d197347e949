/**
 * The GitLab CI template adopters include, and this repo's pipeline that includes it, checked the
 * way GitLab would read them: YAML parsed, `include: local`, `extends` and `!reference` resolved,
 * then every job checked. The checker is tested on broken copies too, so these tests can fail.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { parse, type Tags } from "yaml";

const ROOT = join(__dirname, "..", "..");
const TEMPLATE = ".gitlab/ci/cdktf-vsphere.gitlab-ci.yml";

type Obj = Record<string, unknown>;
/** Keys at the top level of .gitlab-ci.yml that are not jobs. */
const GLOBAL_KEYS = new Set(["variables", "stages", "workflow", "default", "include", "image", "services", "cache", "before_script", "after_script"]);

/** GitLab's `!reference [job, key]` tag, kept as a marker and resolved after parsing. */
const referenceTag: Tags[number] = {
  tag: "!reference",
  collection: "seq",
  resolve: (seq) => ({ $reference: (seq as unknown as { toJSON(): unknown }).toJSON() }),
};

function readYaml(rel: string): Obj {
  return parse(readFileSync(join(ROOT, rel), "utf8"), { customTags: [referenceTag] }) as Obj;
}

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** GitLab's merge for `extends` and includes: hashes merge deeply, everything else is replaced. */
function deepMerge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObj(v) && isObj(out[k]) ? deepMerge(out[k] as Obj, v) : v;
  return out;
}

/** Loads a pipeline file the way GitLab does: local includes first, the file's own keys on top. */
function loadPipeline(rel: string): Obj {
  const doc = readYaml(rel);
  let merged: Obj = {};
  for (const inc of (doc.include as Array<{ local?: string }> | undefined) ?? []) {
    if (!inc.local) throw new Error(`only local includes are checked here: ${JSON.stringify(inc)}`);
    merged = deepMerge(merged, loadPipeline(inc.local));
  }
  const { include: _include, ...own } = doc;
  return deepMerge(merged, own);
}

function resolveJob(doc: Obj, name: string, seen: string[] = []): Obj {
  if (seen.includes(name)) throw new Error(`extends cycle: ${[...seen, name].join(" -> ")}`);
  const job = doc[name];
  if (!isObj(job)) throw new Error(`extends refers to unknown job ${name}`);
  const parents = job.extends === undefined ? [] : Array.isArray(job.extends) ? (job.extends as string[]) : [job.extends as string];
  let out: Obj = {};
  for (const p of parents) out = deepMerge(out, resolveJob(doc, p, [...seen, name]));
  const { extends: _extends, ...own } = job;
  return deepMerge(out, own);
}

function resolveReferences(doc: Obj, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveReferences(doc, v));
  if (!isObj(value)) return value;
  if ("$reference" in value) {
    const [job, ...keys] = value.$reference as string[];
    let v: unknown = resolveJob(doc, job);
    for (const k of keys) v = (v as Obj)[k];
    return resolveReferences(doc, v);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveReferences(doc, v)]));
}

/** Visible jobs with extends and !reference resolved. */
function jobsOf(doc: Obj): Map<string, Obj> {
  const jobs = new Map<string, Obj>();
  for (const name of Object.keys(doc)) {
    if (GLOBAL_KEYS.has(name) || name.startsWith(".")) continue;
    jobs.set(name, resolveReferences(doc, resolveJob(doc, name)) as Obj);
  }
  return jobs;
}

const scripts = (job: Obj): string[] => ["before_script", "script", "after_script"].flatMap((k) => (job[k] as string[] | undefined) ?? []);
const rulesOf = (job: Obj): Obj[] => (job.rules as Obj[] | undefined) ?? [];

/** Every problem GitLab (or our review policy) would have with the pipeline; [] when fine. */
function pipelineProblems(doc: Obj, rawText: string): string[] {
  const problems: string[] = [];
  const stages = (doc.stages as string[] | undefined) ?? ["build", "test", "deploy"];
  const jobs = jobsOf(doc);
  for (const [name, job] of jobs) {
    const stage = (job.stage as string | undefined) ?? "test";
    if (!stages.includes(stage)) problems.push(`${name}: stage "${stage}" is not in stages`);
    if (scripts(job).length === 0) problems.push(`${name}: no script`);
    for (const need of (job.needs as Array<string | Obj> | undefined) ?? []) {
      const target = typeof need === "string" ? need : (need.job as string);
      if (!jobs.has(target)) problems.push(`${name}: needs unknown job "${target}"`);
      else if (stages.indexOf((jobs.get(target)!.stage as string) ?? "test") > stages.indexOf(stage)) problems.push(`${name}: needs "${target}" from a later stage`);
    }
    for (const line of scripts(job)) if (/(^|[\s;&|])(npx\s+)?cdktf\s/.test(line)) problems.push(`${name}: runs the cdktf CLI ("${line}"); CI uses terraform on cdktf.out`);
    if (stage === "deploy") {
      const rules = rulesOf(job);
      if (rules.length === 0 || rules.some((r) => r.when !== "manual" && r.when !== "never")) problems.push(`${name}: deploy jobs must be when: manual in every rule`);
      if (!isObj(job.environment) || typeof job.environment.name !== "string") problems.push(`${name}: deploy job without environment`);
    }
    if (stage === "plan" && !scripts(job).some((l) => /terraform -chdir="\$TF_DIR" plan /.test(l))) problems.push(`${name}: plan job does not run terraform -chdir=<stack dir> plan`);
  }
  const prod = jobs.get("deploy:prod");
  if (!prod) problems.push("no deploy:prod job");
  else {
    if (!isObj(prod.environment) || prod.environment.name !== "prod") problems.push("deploy:prod: environment must be prod (protected)");
    const runsOn = rulesOf(prod).filter((r) => r.when !== "never");
    if (runsOn.length === 0 || runsOn.some((r) => r.if !== "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH")) problems.push("deploy:prod: must run only on the default branch");
  }
  for (const env of ["dev", "prod"]) {
    const report = jobs.get(`report:${env}`);
    const terraformReport = isObj(report?.artifacts) && isObj(report!.artifacts.reports) ? report!.artifacts.reports.terraform : undefined;
    if (typeof terraformReport !== "string") problems.push(`report:${env}: no artifacts:reports:terraform`);
    else if (!scripts(report!).some((l) => l.includes(`--report "${terraformReport}"`))) problems.push(`report:${env}: the terraform report file is not the one plan-report writes`);
    const plan = jobs.get(`plan:${env}`);
    const vars = (plan?.variables ?? {}) as Obj;
    if (vars.TF_HTTP_USERNAME !== "gitlab-ci-token") problems.push(`plan:${env}: TF_HTTP_USERNAME must be gitlab-ci-token (the job token's user)`);
    for (const v of ["TF_HTTP_ADDRESS", "TF_HTTP_LOCK_ADDRESS", "TF_HTTP_UNLOCK_ADDRESS", "TF_HTTP_PASSWORD"]) {
      if (typeof vars[v] !== "string" || !String(vars[v]).includes("${CI_")) problems.push(`plan:${env}: ${v} not set from GitLab's predefined variables`);
    }
    if (!plan || !scripts(plan).some((l) => l.includes("network_mirror"))) problems.push(`plan:${env}: no provider network mirror in .terraformrc`);
  }
  const note = jobs.get("mr-note");
  if (!note || !scripts(note).some((l) => l.includes("/merge_requests/${CI_MERGE_REQUEST_IID}/notes") && l.includes("PRIVATE-TOKEN: ${PLAN_NOTE_TOKEN}"))) problems.push("mr-note: does not post the note with PLAN_NOTE_TOKEN");
  // Air-gap: nothing may point at the internet; every URL must come from a variable.
  for (const m of rawText.matchAll(/\b(?:https?|oci):\/\/[^\s"'$]+/g)) problems.push(`public URL in the pipeline: ${m[0]}`);
  const image = String(((doc.variables ?? {}) as Obj).CI_IMAGE ?? "");
  if (!image.startsWith("${CI_REGISTRY}/")) problems.push(`CI_IMAGE default "${image}" is not in the internal registry`);
  return problems;
}

describe("GitLab CI template", () => {
  const templateText = readFileSync(join(ROOT, TEMPLATE), "utf8");
  const template = loadPipeline(TEMPLATE);

  it("passes every check as adopters include it", () => {
    expect(pipelineProblems(template, templateText)).toEqual([]);
  });

  it("passes every check in this repo's own pipeline, which includes it", () => {
    const doc = loadPipeline(".gitlab-ci.yml");
    expect(pipelineProblems(doc, templateText + readFileSync(join(ROOT, ".gitlab-ci.yml"), "utf8"))).toEqual([]);
    expect(rulesOf(jobsOf(doc).get("plan:prod")!)[0]).toMatchObject({ when: "never" }); // no vCenter here: plan is off
  });

  it("plans per environment with terraform on cdktf.out, and deploys the reviewed plan file", () => {
    const jobs = jobsOf(template);
    expect(jobs.get("plan:prod")!.variables).toMatchObject({ STACK: "prod", TF_DIR: "cdktf.out/stacks/${STACK}" });
    expect(scripts(jobs.get("plan:prod")!)).toContain('terraform -chdir="$TF_DIR" show -json plan.cache > "plan-${STACK}.json"');
    expect(scripts(jobs.get("deploy:prod")!)).toContain('terraform -chdir="$TF_DIR" apply -input=false -lock-timeout=120s plan.cache');
    expect(jobs.get("deploy:prod")!.needs).toContain("report:prod"); // a refused plan cannot be applied
    expect((jobs.get("plan:prod")!.artifacts as Obj).access).toBe("developer"); // plan JSON has secrets
  });

  // The checker itself must catch what it claims to catch.
  const broken = (mutate: (doc: Obj) => void, text = templateText) => {
    const doc = structuredClone(template);
    mutate(doc);
    return pipelineProblems(doc, text);
  };
  it.each<[string, (doc: Obj) => void, RegExp]>([
    ["an automatic prod deploy", (d) => ((d["deploy:prod"] as Obj).rules = [{ if: "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" }]), /deploy:prod: deploy jobs must be when: manual/],
    ["prod deploy from any branch", (d) => ((d["deploy:prod"] as Obj).rules = [{ when: "manual" }]), /must run only on the default branch/],
    ["an unprotected prod", (d) => ((d["deploy:prod"] as Obj).environment = { name: "production-ish" }), /environment must be prod/],
    ["a needs typo", (d) => ((d["report:dev"] as Obj).needs = ["cdktf:synth", "plan:deev"]), /needs unknown job "plan:deev"/],
    ["an unknown stage", (d) => ((d["synth-diff"] as Obj).stage = "review"), /stage "review" is not in stages/],
    ["a missing terraform report", (d) => delete ((d[".cdktf-report"] as Obj).artifacts as Obj).reports, /report:dev: no artifacts:reports:terraform/],
    ["the cdktf CLI in CI", (d) => ((d[".cdktf-plan"] as Obj).script = ["npx cdktf plan prod"]), /runs the cdktf CLI/],
  ])("catches %s", (_what, mutate, expected) => {
    expect(broken(mutate).join("\n")).toMatch(expected);
  });

  it("catches a public URL and a public image", () => {
    expect(broken(() => undefined, templateText + "\n# curl https://registry.terraform.io/x\n").join("\n")).toMatch(/public URL in the pipeline: https:\/\/registry\.terraform\.io/);
    expect(broken((d) => ((d.variables as Obj).CI_IMAGE = "hashicorp/terraform:1.11")).join("\n")).toMatch(/not in the internal registry/);
  });
});
