import { spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { jobsOf, loadPipeline, type Obj, scripts, TEMPLATE } from "../../review/gitlab-pipeline";

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
