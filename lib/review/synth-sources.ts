/**
 * Where synth-diff gets its two sides from: a synth output directory, or a git ref synthesized in
 * a throw-away worktree. Synth output is not committed, so a ref has to be synthesized to compare.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import { spawnSync } from "child_process";
import { readJsonFile } from "./read-json-file";
import { UserError } from "./user-error";

/** Stack name -> parsed cdk.tf.json, from `<dir>/stacks/<stack>/cdk.tf.json`. */
export function loadSynthDir(dir: string): Map<string, unknown> {
  const stacksDir = join(dir, "stacks");
  if (!existsSync(stacksDir)) throw new UserError(`${dir} has no stacks/ folder: is it cdktf synth output (run \`npm run synth\`)?`);
  const stacks = new Map<string, unknown>();
  for (const name of readdirSync(stacksDir).sort()) {
    const file = join(stacksDir, name, "cdk.tf.json");
    if (existsSync(file)) stacks.set(name, readJsonFile(file, `the cdktf synth of stack "${name}"`));
  }
  return stacks;
}

export interface SynthRefOptions {
  /** The repository to take the ref from (and whose node_modules the worktree borrows). */
  readonly repoDir: string;
  readonly ref: string;
  /** Shell command that synthesizes in the worktree's root. */
  readonly synthCommand: string;
  /** Where the command writes, relative to the worktree root. */
  readonly outDir: string;
}

/**
 * Synthesizes `ref` without touching the working tree: `git worktree add --detach` into a temp
 * dir, symlink the current node_modules (no `npm install`, no network; the dependencies of the
 * working tree are assumed close enough to the base's), run the synth command, read its output,
 * and always remove the worktree again. The command's output goes to stderr so stdout stays Markdown.
 */
export function synthGitRef(options: SynthRefOptions): Map<string, unknown> {
  const repoDir = resolve(options.repoDir);
  git(repoDir, ["rev-parse", "--verify", "--quiet", `${options.ref}^{commit}`], `unknown git ref "${options.ref}"`);
  const worktree = mkdtempSync(join(tmpdir(), "synth-diff-"));
  git(repoDir, ["worktree", "add", "--detach", "--force", worktree, options.ref], `cannot check out "${options.ref}"`);
  try {
    const modules = join(repoDir, "node_modules");
    if (existsSync(modules) && !existsSync(join(worktree, "node_modules"))) symlinkSync(modules, join(worktree, "node_modules"), "dir");
    const run = spawnSync(options.synthCommand, { cwd: worktree, shell: true, stdio: ["ignore", 2, 2], env: { ...process.env, CDKTF_OUTDIR: options.outDir } });
    if (run.status !== 0) throw new UserError(`synth of "${options.ref}" failed (\`${options.synthCommand}\` exited ${run.status ?? run.signal}); see its output above`);
    return loadSynthDir(join(worktree, options.outDir));
  } finally {
    spawnSync("git", ["-C", repoDir, "worktree", "remove", "--force", worktree], { stdio: "ignore" });
    rmSync(worktree, { recursive: true, force: true });
    spawnSync("git", ["-C", repoDir, "worktree", "prune"], { stdio: "ignore" });
  }
}

function git(cwd: string, args: string[], failure: string): string {
  const r = spawnSync("git", ["-C", cwd, ...args], { encoding: "utf8" });
  if (r.error) throw new UserError(`${failure}: cannot run git (${r.error.message})`);
  if (r.status !== 0) throw new UserError(`${failure}${r.stderr.trim() ? `: ${r.stderr.trim()}` : ""}`);
  return r.stdout;
}
