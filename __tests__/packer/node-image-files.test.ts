/**
 * packer/files/containerd/etc is what the node image bakes in; it must be exactly what lib/cluster
 * renders (the cloud-config's rendering, with the mirror as placeholders), or image and cloud-config
 * drift apart. Regenerate with `npm run generate:node-image`.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { NODE_IMAGE_CONTAINERD_DIR, writeNodeImageFiles } from "../../stacks/node-image-files";
import { MIRRORED_REGISTRIES } from "../../lib/cluster/mirror";

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, "utf8");
    }
  };
  walk(join(dir, "etc"));
  return out;
}

describe("packer/files/containerd (generated from lib/cluster)", () => {
  const committed = tree(NODE_IMAGE_CONTAINERD_DIR);

  test("is up to date: equal to a fresh generation, file for file (run `npm run generate:node-image`)", () => {
    const fresh = mkdtempSync(join(tmpdir(), "node-image-"));
    writeNodeImageFiles(fresh);
    expect(committed).toEqual(tree(fresh));
  });

  test("holds config.toml and one hosts.toml per mirrored registry, the mirror as placeholders", () => {
    expect(Object.keys(committed).sort()).toEqual(
      ["etc/containerd/config.toml", ...MIRRORED_REGISTRIES.map((r) => `etc/containerd/certs.d/${r}/hosts.toml`)].sort(),
    );
    for (const registry of MIRRORED_REGISTRIES) {
      expect(committed[`etc/containerd/certs.d/${registry}/hosts.toml`]).toContain(
        `[host."https://@REGISTRY_MIRROR_HOST@/v2/@REGISTRY_MIRROR_PATH_PREFIX@/${registry}"]`,
      );
    }
  });
});
