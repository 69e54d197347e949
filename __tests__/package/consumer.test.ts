import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKAGE_NAME, readmeSnippets, ROOT } from "../readme/snippets";

/**
 * The package as a consumer gets it: `npm pack` (which builds dist/), then a fresh project installs the
 * tarball with cdktf and constructs (--prefer-offline: from the npm cache `npm ci` filled, the registry only for package metadata), compiles README's
 * snippets with its own TypeScript and runs them. Slow (build + install), so `npm run test:package`.
 */
const devVersion = (name: string): string => JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).devDependencies[name];
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: "pipe", env: { ...process.env, CHECKPOINT_DISABLE: "1", npm_config_audit: "false", npm_config_fund: "false" } });

describe("the packed library in a consumer project", () => {
  const work = mkdtempSync(join(tmpdir(), "consumer-"));
  const consumer = join(work, "infra");
  let files: string[] = [];

  beforeAll(() => {
    const [pack] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], ROOT));
    files = pack.files.map((f: { path: string }) => f.path);
    run("mkdir", ["-p", consumer], work);
    writeFileSync(join(consumer, "package.json"), JSON.stringify({
      name: "infra", private: true,
      dependencies: { [PACKAGE_NAME]: `file:${join(work, pack.filename)}`, cdktf: devVersion("cdktf"), constructs: devVersion("constructs") },
      devDependencies: { typescript: devVersion("typescript"), "@types/node": devVersion("@types/node") },
    }));
    run("npm", ["install", "--prefer-offline", "--ignore-scripts"], consumer);
    writeFileSync(join(consumer, "tsconfig.json"), JSON.stringify({
      compilerOptions: { strict: true, target: "ES2022", module: "commonjs", moduleResolution: "node", esModuleInterop: true, skipLibCheck: false, types: ["node"] },
    }));
    for (const s of readmeSnippets()) writeFileSync(join(consumer, s.file), s.code);
    run(join(consumer, "node_modules", ".bin", "tsc"), ["-p", "."], consumer);
  }, 300_000);

  it("ships the compiled library, its types and README only", () => {
    expect(files).toEqual(expect.arrayContaining(["dist/lib/index.js", "dist/lib/index.d.ts", "dist/lib/environment/kubernetes-environment.d.ts", "README.md", "package.json"]));
    expect(files.filter((f) => /^(__tests__|cdktf\.out|stacks|node_modules|lib)\//.test(f) || /\.test\.|\.ts$/.test(f.replace(/\.d\.ts$/, "")))).toEqual([]);
  });

  it("resolves one copy of cdktf and constructs: the consumer's (peer dependencies)", () => {
    const nested = join(consumer, "node_modules", PACKAGE_NAME, "node_modules");
    for (const peer of ["cdktf", "constructs"]) expect([peer, existsSync(join(nested, peer))]).toEqual([peer, false]);
  });

  it("synthesizes a whole environment from README's main.ts, with the reviewable cloud-configs", () => {
    run("node", ["main.js"], consumer);
    const stack = JSON.parse(readFileSync(join(consumer, "cdktf.out", "stacks", "lab", "cdk.tf.json"), "utf8"));
    expect(Object.keys(stack.resource.vsphere_virtual_machine)).toHaveLength(2);
    expect(Object.keys(stack.resource.helm_release).length).toBeGreaterThanOrEqual(9);
    expect(stack.terraform.backend).toEqual({ local: { path: "../../../terraform.lab.tfstate" } });
    expect(readdirSync(join(consumer, "cdktf.out", "rendered", "lab")).sort()).toEqual(["lab-control-plane-1.cloud-config.yaml", "lab-worker-1.cloud-config.yaml"]);
  });

  it("composes the environment into the consumer's own stack (README's custom.ts)", () => {
    const out = run("node", ["custom.js"], consumer);
    expect(out).toContain("API endpoint: https://10.30.0.10:6443");
    const stack = JSON.parse(readFileSync(join(consumer, "cdktf.out", "stacks", "lab", "cdk.tf.json"), "utf8"));
    expect(stack.terraform.backend.http).toBeDefined();
    expect(stack.provider.vsphere[0].password).toBe("${var.vsphere_password}");
  });
});
