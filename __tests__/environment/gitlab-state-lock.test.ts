/**
 * The documented deploy path (`cdktf deploy <env>` with the TF_HTTP_* variables) must not run
 * unlocked: Terraform's http backend silently skips locking without a lock address.
 */
import { App, TerraformStack } from "cdktf";
import { gitlabStateLockProblems } from "../../lib/environment/gitlab-state-lock";
import { ConfigError } from "../../lib/config/problems";
import { GitlabHttpBackend } from "../../lib/environment/gitlab-http-backend";

const ADDRESS = "https://gitlab.example.internal/api/v4/projects/42/terraform/state/prod";

describe("GitLab state locking", () => {
  it("is fine with the state's own lock address, or with no GitLab state in this process", () => {
    expect(gitlabStateLockProblems({ TF_HTTP_ADDRESS: ADDRESS, TF_HTTP_LOCK_ADDRESS: `${ADDRESS}/lock`, TF_HTTP_UNLOCK_ADDRESS: `${ADDRESS}/lock` })).toEqual([]);
    expect(gitlabStateLockProblems({})).toEqual([]);
  });

  it("refuses a missing lock address, and a lock of another state", () => {
    expect(gitlabStateLockProblems({ TF_HTTP_ADDRESS: ADDRESS })).toEqual([
      `TF_HTTP_LOCK_ADDRESS is not set: Terraform would run unlocked against ${ADDRESS}`,
      `TF_HTTP_UNLOCK_ADDRESS is not set: Terraform would run unlocked against ${ADDRESS}`,
      'fix: export TF_HTTP_LOCK_ADDRESS="$TF_HTTP_ADDRESS/lock" TF_HTTP_UNLOCK_ADDRESS="$TF_HTTP_ADDRESS/lock"',
    ]);
    const devLock = ADDRESS.replace(/prod$/, "dev/lock");
    expect(gitlabStateLockProblems({ TF_HTTP_ADDRESS: ADDRESS, TF_HTTP_LOCK_ADDRESS: devLock, TF_HTTP_UNLOCK_ADDRESS: `${ADDRESS}/lock` })[0]).toBe(
      `TF_HTTP_LOCK_ADDRESS is ${devLock}, not the lock of this state (${ADDRESS}/lock)`,
    );
  });

  it("the GitLab backend refuses to synthesize (so cdktf deploy stops) with a user error, not a stack trace", () => {
    const stack = () => new TerraformStack(new App({ outdir: "/tmp/unused" }), "prod");
    expect(() => new GitlabHttpBackend(stack(), { TF_HTTP_ADDRESS: ADDRESS })).toThrow(ConfigError);
    expect(() => new GitlabHttpBackend(stack(), { TF_HTTP_ADDRESS: ADDRESS })).toThrow(/GitLab state locking: 3 problems\n  - TF_HTTP_LOCK_ADDRESS is not set/);
    expect(() => new GitlabHttpBackend(stack(), { TF_HTTP_ADDRESS: ADDRESS, TF_HTTP_LOCK_ADDRESS: `${ADDRESS}/lock`, TF_HTTP_UNLOCK_ADDRESS: `${ADDRESS}/lock` })).not.toThrow();
  });
});
