import type { Construct } from "constructs";
import { DataTerraformRemoteStateHttp, TerraformBackend, type TerraformRemoteState } from "cdktf";
import { ConfigError } from "../config/problems";
import { gitlabStateLockProblems } from "./gitlab-state-lock";

/**
 * GitLab-managed Terraform state (HTTP backend). Addresses are deliberately NOT written into
 * cdk.tf.json: Terraform reads them, and the credentials, from TF_HTTP_ADDRESS, TF_HTTP_LOCK_ADDRESS,
 * TF_HTTP_UNLOCK_ADDRESS, TF_HTTP_USERNAME and TF_HTTP_PASSWORD (or `-backend-config`), so the same
 * synth works against any GitLab project and no token ever lands in the repo or in cdktf.out.
 */
export class GitlabHttpBackend extends TerraformBackend {
  constructor(scope: Construct, env: NodeJS.ProcessEnv = process.env) {
    super(scope, "backend", "http");
    // `cdktf deploy/diff` synthesize first: refuse here rather than let Terraform run unlocked.
    const lock = gitlabStateLockProblems(env);
    if (lock.length > 0) throw new ConfigError("GitLab state locking", lock);
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    // GitLab's state API locks with POST and unlocks with DELETE (Terraform defaults: LOCK/UNLOCK).
    return { lock_method: "POST", unlock_method: "DELETE", retry_wait_min: 5 };
  }

  getRemoteStateDataSource(scope: Construct, name: string): TerraformRemoteState {
    const address = process.env.TF_HTTP_ADDRESS;
    if (!address) throw new Error("Reading another stack's GitLab state needs TF_HTTP_ADDRESS at synth time");
    return new DataTerraformRemoteStateHttp(scope, name, { address });
  }
}
