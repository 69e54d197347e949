/**
 * The GitLab CI template adopters include, and this repo's pipeline that includes it, checked the
 * way GitLab would read them: YAML parsed, `include: local`, `extends` and `!reference` resolved,
 * then every job checked. The checker is tested on broken copies too, so these tests can fail.
 */
import { spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
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

/** GitLab flattens nested lists (from `!reference`) in scripts. */
const scripts = (job: Obj): string[] => ["before_script", "script", "after_script"].flatMap((k) => ((job[k] as unknown[] | undefined) ?? []).flat(10) as string[]);
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
    if (stage === "deploy") {
      // In an MR pipeline CI_COMMIT_BRANCH is unset, so a rule that requires the default branch cannot match.
      for (const r of rulesOf(job).filter((r) => r.when !== "never")) {
        if (typeof r.if !== "string" || !r.if.includes("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH") || /\|\||merge_request_event/.test(r.if)) {
          problems.push(`${name}: deploys outside the default branch (rule ${JSON.stringify(r)}); MR pipelines must never deploy`);
        }
      }
      if (!scripts(job).some((l) => / apply .*plan\.cache$/.test(l))) problems.push(`${name}: does not apply the reviewed plan file`);
      if (typeof job.resource_group !== "string" || !job.resource_group.includes("${STACK}")) problems.push(`${name}: no resource_group per stack (one apply per stack at a time)`);
    }
    if (stage === "plan") {
      const lines = scripts(job);
      if (!lines.some((l) => l.includes('"merge_request_event"') && l.includes('PLAN_LOCK="-lock=false"')) || !lines.some((l) => / plan .*\$PLAN_LOCK /.test(l))) {
        problems.push(`${name}: MR plans must run with -lock=false (locking needs Maintainer)`);
      }
    }
    const paths = (isObj(job.artifacts) ? ((job.artifacts as Obj).paths as string[] | undefined) : undefined) ?? [];
    if (paths.some((p) => /plan\.cache|plan-.*\.json/.test(p))) {
      const access = (job.artifacts as Obj).access;
      if (access === undefined || access === "all") problems.push(`${name}: plan artifacts hold secrets: set artifacts:access`);
      if (!/^(\d+ hours?|1 day)$/.test(String((job.artifacts as Obj).expire_in))) problems.push(`${name}: plan artifacts must expire within a day`);
    }
    for (const line of scripts(job)) if (/terraform .*\binit\b/.test(line) && !line.includes("-lockfile=readonly") && !line.includes("$@")) problems.push(`${name}: terraform init outside tf_init ("${line}"): the committed lock file would be skipped`);
  }
  const validate = [...jobs.values()].find((j) => j.stage === "validate");
  if (!validate || !scripts(validate).some((l) => l.includes("-backend=false") && l.includes("validate"))) problems.push("no terraform validate job (init -backend=false, validate)");
  const prodPlan = jobs.get("plan:prod");
  if (prodPlan) {
    if (!isObj(prodPlan.environment) || prodPlan.environment.name !== "prod" || prodPlan.environment.action !== "prepare") problems.push("plan:prod: must target the protected environment prod with action: prepare (only its deployers run it)");
    if (!["none", "maintainer"].includes(String((prodPlan.artifacts as Obj | undefined)?.access))) problems.push("plan:prod: artifacts readable by Developers (use access: none or maintainer)");
    const mrRule = rulesOf(prodPlan).find((r) => String(r.if).includes("merge_request_event"));
    if (mrRule && (mrRule.when !== "manual" || mrRule.allow_failure !== false)) problems.push("plan:prod: in MRs it must wait for a maintainer (when: manual, allow_failure: false)");
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
    if (vars.TF_HTTP_LOCK_ADDRESS !== `${vars.TF_HTTP_ADDRESS}/lock`) problems.push(`plan:${env}: TF_HTTP_LOCK_ADDRESS is not the state address + /lock (unset means unlocked)`);
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
    expect((jobs.get("plan:prod")!.artifacts as Obj).access).toBe("none"); // prod plan JSON has prod's secrets
    expect((jobs.get("plan:dev")!.artifacts as Obj).access).toBe("developer"); // dev's: readable where dev state is
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
    ["a deploy from MR pipelines", (d) => ((d["deploy:dev"] as Obj).rules = [{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"', when: "manual" }]), /deploy:dev: deploys outside the default branch/],
    ["a deploy from any branch", (d) => ((d["deploy:dev"] as Obj).rules = [{ when: "manual" }]), /deploy:dev: deploys outside the default branch/],
    ["a locking MR plan", (d) => ((d[".cdktf-plan"] as Obj).script = ['terraform -chdir="$TF_DIR" plan -input=false -out=plan.cache']), /plan:dev: MR plans must run with -lock=false/],
    ["no validate job", (d) => delete d["cdktf:validate"], /no terraform validate job/],
    ["prod plan artifacts for Developers", (d) => ((d["plan:prod"] as Obj).artifacts = { access: "developer" }), /plan:prod: artifacts readable by Developers/],
    ["plan artifacts for everyone", (d) => (((d[".cdktf-plan"] as Obj).artifacts as Obj).access = "all"), /plan:dev: plan artifacts hold secrets/],
    ["plan artifacts kept for weeks", (d) => (((d[".cdktf-plan"] as Obj).artifacts as Obj).expire_in = "30 days"), /plan:dev: plan artifacts must expire within a day/],
    ["a prod plan anyone can run", (d) => delete (d["plan:prod"] as Obj).environment, /plan:prod: must target the protected environment prod/],
    ["an MR prod plan that does not wait", (d) => (((d["plan:prod"] as Obj).rules as Obj[])[0].allow_failure = true), /plan:prod: in MRs it must wait for a maintainer/],
    ["an unlocked state", (d) => delete ((d[".cdktf-terraform"] as Obj).variables as Obj).TF_HTTP_LOCK_ADDRESS, /TF_HTTP_LOCK_ADDRESS/],
    ["an init that skips the lock file", (d) => ((d[".cdktf-terraform"] as Obj).before_script = ['terraform -chdir="$TF_DIR" init -input=false']), /terraform init outside tf_init/],
    ["an apply of a fresh plan", (d) => ((d[".cdktf-deploy"] as Obj).script = ['terraform -chdir="$TF_DIR" apply -input=false -auto-approve']), /does not apply the reviewed plan file/],
  ])("catches %s", (_what, mutate, expected) => {
    expect(broken(mutate).join("\n")).toMatch(expected);
  });

  it("catches a public URL and a public image", () => {
    expect(broken(() => undefined, templateText + "\n# curl https://registry.terraform.io/x\n").join("\n")).toMatch(/public URL in the pipeline: https:\/\/registry\.terraform\.io/);
    expect(broken((d) => ((d.variables as Obj).CI_IMAGE = "hashicorp/terraform:1.11")).join("\n")).toMatch(/not in the internal registry/);
  });
});

/**
 * The jobs' shell, run for real: bash executes a job's before_script + script (as the runner does,
 * in one shell) with GitLab's variables exported and a stub `terraform` that logs its arguments.
 */
describe("GitLab CI template jobs, executed with a stub terraform", () => {
  const template = loadPipeline(TEMPLATE);
  const jobs = jobsOf(template);

  /** `projectVars`: CI/CD variables from the settings, which take precedence over the YAML's. */
  function run(jobName: string, env: Record<string, string>, withLockFile: boolean, projectVars: Record<string, string> = {}): { log: string[]; out: string; dir: string } {
    const dir = mkdtempSync(join(tmpdir(), "ci-job-"));
    for (const stack of ["dev", "prod"]) mkdirSync(join(dir, "cdktf.out", "stacks", stack), { recursive: true });
    if (withLockFile) writeFileSync(join(dir, ".terraform.lock.hcl"), "# reviewed provider hashes\n");
    mkdirSync(join(dir, "bin"));
    writeFileSync(join(dir, "bin", "terraform"), '#!/bin/sh\necho "terraform $*" >> "$TF_LOG_FILE"\ncase "$*" in *"show -json"*) echo "{}";; *apply*) echo "lock address $TF_HTTP_LOCK_ADDRESS" >> "$TF_LOG_FILE";; esac\n', { mode: 0o755 });
    const job = jobs.get(jobName)!;
    // Job variables override global ones; GitLab expands references with the full set, in any order,
    // so export them in passes until every chain (TF_HTTP_ADDRESS -> TF_STATE_PROJECT_ID -> CI_PROJECT_ID) resolves.
    const vars = { ...(template.variables as Obj), ...(job.variables as Obj), ...projectVars };
    const pass = Object.entries(vars).map(([k, v]) => `export ${k}="${String(v)}"`);
    const exports = [...pass, ...pass, ...pass];
    const script = [...exports, ...scripts({ before_script: job.before_script, script: job.script })].join("\n");
    const r = spawnSync("bash", ["-eo", "pipefail", "-c", script], {
      cwd: dir,
      encoding: "utf8",
      env: {
        PATH: `${join(dir, "bin")}:${process.env.PATH}`,
        TF_LOG_FILE: join(dir, "terraform.log"),
        CI_PROJECT_DIR: dir,
        CI_API_V4_URL: "https://gitlab.example.internal/api/v4",
        CI_PROJECT_ID: "42",
        CI_JOB_TOKEN: "job-token",
        CI_REGISTRY: "registry.example.internal",
        TF_PROVIDER_MIRROR_URL: "https://mirror.example.internal/providers/",
        ...env,
      },
    });
    if (r.status !== 0) throw new Error(`${jobName} failed: ${r.stderr}`);
    return { log: readFileSync(join(dir, "terraform.log"), "utf8").trim().split("\n"), out: r.stdout, dir };
  }
  const MR = { CI_PIPELINE_SOURCE: "merge_request_event" };
  const DEFAULT_BRANCH = { CI_PIPELINE_SOURCE: "push", CI_COMMIT_BRANCH: "main", CI_DEFAULT_BRANCH: "main" };

  it("an MR plan runs with -lock=false; a default-branch plan locks", () => {
    const mr = run("plan:dev", MR, true);
    expect(mr.log).toContain("terraform -chdir=cdktf.out/stacks/dev plan -input=false -lock=false -out=plan.cache");
    const main = run("plan:dev", DEFAULT_BRANCH, true);
    expect(main.log).toContain("terraform -chdir=cdktf.out/stacks/dev plan -input=false -lock-timeout=120s -out=plan.cache");
  });

  it("init uses the committed lock file read-only, and says so when there is none", () => {
    const locked = run("plan:prod", DEFAULT_BRANCH, true);
    expect(locked.log[0]).toBe("terraform -chdir=cdktf.out/stacks/prod init -input=false -lockfile=readonly");
    expect(readFileSync(join(locked.dir, "cdktf.out", "stacks", "prod", ".terraform.lock.hcl"), "utf8")).toContain("reviewed provider hashes");
    const unlocked = run("plan:prod", DEFAULT_BRANCH, false);
    expect(unlocked.log[0]).toBe("terraform -chdir=cdktf.out/stacks/prod init -input=false");
    expect(unlocked.out).toMatch(/warning: no \.terraform\.lock\.hcl committed/);
  });

  it("validate initializes every stack without a backend and validates it", () => {
    expect(run("cdktf:validate", MR, true).log).toEqual([
      "terraform -chdir=cdktf.out/stacks/dev/ init -input=false -lockfile=readonly -backend=false",
      "terraform -chdir=cdktf.out/stacks/dev/ validate -no-color",
      "terraform -chdir=cdktf.out/stacks/prod/ init -input=false -lockfile=readonly -backend=false",
      "terraform -chdir=cdktf.out/stacks/prod/ validate -no-color",
    ]);
  });

  it("deploy applies the reviewed plan file, with the state lock addresses set", () => {
    const d = run("deploy:prod", DEFAULT_BRANCH, true);
    expect(d.log.slice(-2)).toEqual([
      "terraform -chdir=cdktf.out/stacks/prod apply -input=false -lock-timeout=120s plan.cache",
      "lock address https://gitlab.example.internal/api/v4/projects/42/terraform/state/prod/lock",
    ]);
    // A prod state project (a CI/CD variable scoped to "prod") moves every address with it.
    const separate = run("deploy:prod", DEFAULT_BRANCH, true, { TF_STATE_PROJECT_ID: "77" });
    expect(separate.log[separate.log.length - 1]).toBe("lock address https://gitlab.example.internal/api/v4/projects/77/terraform/state/prod/lock");
  });
});
