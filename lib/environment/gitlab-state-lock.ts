/**
 * Terraform's http backend locks only when it has a lock address: without TF_HTTP_LOCK_ADDRESS it
 * runs UNLOCKED and says nothing, so a laptop `cdktf deploy` and a CI apply can write one state at
 * the same time. GitLab's lock endpoint is always `<state address>/lock`; a lock address of another
 * state would lock the wrong one. Pure: the caller decides when to ask (at synth, before a deploy).
 */
export function gitlabStateLockProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  const address = env.TF_HTTP_ADDRESS?.trim();
  // No address in this process: the backend is configured some other way (or terraform init fails loudly).
  if (!address) return [];
  const expected = `${address.replace(/\/+$/, "")}/lock`;
  const problems: string[] = [];
  for (const name of ["TF_HTTP_LOCK_ADDRESS", "TF_HTTP_UNLOCK_ADDRESS"]) {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is not set: Terraform would run unlocked against ${address}`);
    else if (value !== expected) problems.push(`${name} is ${value}, not the lock of this state (${expected})`);
  }
  if (problems.length > 0) problems.push(`fix: export TF_HTTP_LOCK_ADDRESS="$TF_HTTP_ADDRESS/lock" TF_HTTP_UNLOCK_ADDRESS="$TF_HTTP_ADDRESS/lock"`);
  return problems;
}
