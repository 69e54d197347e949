import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parse } from "yaml";

/** containerd's files on a node: absolute path -> content. */
export type ContainerdFiles = ReadonlyMap<string, string>;

/**
 * The containerd files (/etc/containerd/...) the cloud-config of each environment writes, from the
 * synthesized `<outdir>/rendered/<env>/*.cloud-config.yaml`. Every node of an environment must get the
 * same ones: one set per environment.
 */
export function cloudConfigContainerdFiles(outdir: string): Map<string, ContainerdFiles> {
  const byEnv = new Map<string, ContainerdFiles>();
  for (const env of readdirSync(join(outdir, "rendered"))) {
    const sets = readdirSync(join(outdir, "rendered", env)).map((name) => {
      const doc = parse(readFileSync(join(outdir, "rendered", env, name), "utf8")) as { write_files: { path: string; content: string }[] };
      return new Map(doc.write_files.filter((f) => f.path.startsWith("/etc/containerd/")).map((f) => [f.path, f.content]));
    });
    for (const set of sets) {
      if (JSON.stringify([...set]) !== JSON.stringify([...sets[0]])) throw new Error(`${env}: nodes get different containerd files`);
    }
    byEnv.set(env, sets[0]);
  }
  return byEnv;
}

/**
 * The containerd files the node image build writes: packer/files/containerd/install.sh, run as
 * 30-containerd.sh runs it, into a temporary root instead of /.
 */
export function packerContainerdFiles(mirror: { host: string; pathPrefix?: string }): ContainerdFiles {
  const root = mkdtempSync(join(tmpdir(), "image-root-"));
  const script = join(__dirname, "..", "..", "packer", "files", "containerd", "install.sh");
  const result = spawnSync("bash", [script, root], {
    encoding: "utf8",
    env: { ...process.env, REGISTRY_MIRROR_HOST: mirror.host, REGISTRY_MIRROR_PATH_PREFIX: mirror.pathPrefix ?? "" },
  });
  if (result.status !== 0) throw new Error(`install.sh failed:\n${result.stderr}`);
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(`/${relative(root, path)}`, readFileSync(path, "utf8"));
    }
  };
  walk(root);
  return files;
}
