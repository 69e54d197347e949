/**
 * synth-diff on real cdktf synth output: two versions of a small app (terraform_data resources
 * under construct paths like the real stacks') that differ in known ways, compared from
 * directories, and from a git ref synthesized in a temporary worktree.
 */
import { execFileSync, spawnSync } from "child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { diffSynth } from "../../../lib/review/synth-diff";
import { synthDiffMarkdown } from "../../../lib/review/synth-diff-markdown";
import { loadSynthDir } from "../../../lib/review/synth-sources";

const ROOT = join(__dirname, "..", "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const CLI = join(ROOT, "lib", "review", "synth-diff-cli.ts");

const FIXTURE_APP = join(__dirname, "..", "..", "review", "fixtures", "synth-app.cjs");

/** Synthesizes the fixture app (see fixtures/synth-app.cjs for what version 2 changes). */
function synthApp(outdir: string, v: 1 | 2): void {
  execFileSync("node", [FIXTURE_APP, String(v), outdir], { cwd: ROOT, stdio: "pipe" });
}

describe("synth-diff between two real synth outputs", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "synth-diff-"));
    synthApp(join(dir, "base"), 1);
    synthApp(join(dir, "head"), 2);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("finds added, removed and changed resources per stack, by construct path, with changed attributes", () => {
    const [dev, prod] = diffSynth(loadSynthDir(join(dir, "base")), loadSynthDir(join(dir, "head")));
    expect(dev).toMatchObject({ stack: "dev", status: "unchanged", added: [], removed: [], changed: [], otherBlocks: [] });
    expect(prod.stack).toBe("prod");
    expect(prod.added.map((r) => r.path)).toEqual(["workers/node-3"]);
    expect(prod.removed.map((r) => [r.path, r.address])).toEqual([["workers/node-2", expect.stringMatching(/^terraform_data\.workers_node-2_[0-9A-F]{8}$/)]]);
    expect(prod.changed.map((r) => [r.path, r.attributes])).toEqual([
      ["cluster/control-plane/node-1", [{ name: "input.cpus", from: "4", to: "8" }]],
      ["platform/traefik/release", [{ name: "input.version", from: '"39.0.0"', to: '"39.0.1"' }]],
    ]);
    expect(prod.otherBlocks).toEqual(["output.traefik_version"]);
  });

  it("renders Markdown: removals first and flagged, values only for short harmless scalars", () => {
    const md = synthDiffMarkdown(diffSynth(loadSynthDir(join(dir, "base")), loadSynthDir(join(dir, "head"))), "`main`");
    expect(md).toContain("| prod | 1 | 1 | 2 |");
    expect(md).toContain("| dev | 0 | 0 | 0 |");
    expect(md).toMatch(/⚠️ Removed \(1\)[^\n]*\n\n- `-` `workers\/node-2`/);
    expect(md).toContain('`input.cpus` 4 → 8');
    expect(md.indexOf("Removed")).toBeLessThan(md.indexOf("Changed ("));
    expect(md).not.toContain("do-not-print-me");
  });

  it("CLI with --base-dir prints Markdown; --exit-code exits 1 on differences; mistakes exit 2", () => {
    const r = spawnSync(TSX, [CLI, "--base-dir", join(dir, "base"), "--head-dir", join(dir, "head"), "--markdown", join(dir, "diff.md")], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, "diff.md"), "utf8")).toBe(r.stdout);
    const same = spawnSync(TSX, [CLI, "--base-dir", join(dir, "head"), "--head-dir", join(dir, "head"), "--exit-code"], { encoding: "utf8" });
    expect(same.status).toBe(0);
    const differs = spawnSync(TSX, [CLI, "--base-dir", join(dir, "base"), "--head-dir", join(dir, "head"), "--exit-code", "--stack", "prod"], { encoding: "utf8" });
    expect(differs.status).toBe(1);
    expect(differs.stdout).not.toContain("### dev");
    // A valid head, so the error is about the missing base and not about the cwd's cdktf.out.
    const missing = spawnSync(TSX, [CLI, "--base-dir", join(dir, "nope"), "--head-dir", join(dir, "head")], { encoding: "utf8" });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^error: .*nope has no stacks\/ folder/);
  });
});

describe("synth-diff against a git ref (synthesized in a temporary worktree)", () => {
  let repo: string;
  const git = (...args: string[]) => execFileSync("git", ["-C", repo, ...args], { stdio: "pipe" });
  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), "synth-diff-repo-"));
    // A tiny project whose `npm run synth` is the fixture app; its version comes from a committed file.
    copyFileSync(FIXTURE_APP, join(repo, "synth.js"));
    writeFileSync(join(repo, "package.json"), JSON.stringify({ name: "fixture", private: true, scripts: { synth: "node synth.js" } }));
    writeFileSync(join(repo, ".gitignore"), "node_modules\ncdktf.out\n");
    writeFileSync(join(repo, "version"), "1");
    symlinkSync(join(ROOT, "node_modules"), join(repo, "node_modules"), "dir");
    git("init", "-q", "-b", "main");
    git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "add", ".");
    git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "v1");
    // The merge request's working tree: version 2, synthesized as CI's synth job would.
    writeFileSync(join(repo, "version"), "2");
    execFileSync("node", ["synth.js"], { cwd: repo, stdio: "pipe" });
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it("synthesizes the base ref, diffs it against the working tree's synth, and cleans up the worktree", () => {
    const r = spawnSync(TSX, [CLI, "--base-ref", "main"], { cwd: repo, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("changes against `main`");
    expect(r.stdout).toContain("| prod | 1 | 1 | 2 |");
    expect(r.stdout).toMatch(/`workers\/node-2`/);
    expect(git("worktree", "list").toString().trim().split("\n")).toHaveLength(1);
    expect(git("status", "--porcelain").toString()).toBe(" M version\n");
  });

  it("says which ref is unknown, without a stack trace", () => {
    const r = spawnSync(TSX, [CLI, "--base-ref", "no-such-branch"], { cwd: repo, encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown git ref "no-such-branch"/);
  });
});
