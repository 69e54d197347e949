/**
 * The GitLab CI template adopters include, and this repo's pipeline that includes it, checked the
 * way GitLab would read them: YAML parsed, `include: local`, `extends` and `!reference` resolved,
 * then every job checked. The checker is tested on broken copies too, so these tests can fail. The
 * jobs' shell run by bash: __tests__/behaviour/review/gitlab-ci-jobs.test.ts.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { isObj, jobsOf, loadPipeline, type Obj, ROOT, rulesOf, scripts, TEMPLATE } from "./gitlab-pipeline";


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
