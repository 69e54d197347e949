import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CONTAINERD_VERSION, nodeImageContainerdFiles } from "../lib";
import { site } from "./site";

/**
 * `npm run generate:node-image`: writes the containerd files the node image bakes in to
 * packer/files/containerd/etc/..., rendered by lib/cluster exactly like the cloud-config's (the
 * mirror is filled in by the image build). Commit the result; a test fails while it is stale.
 */
export const NODE_IMAGE_CONTAINERD_DIR = join(__dirname, "..", "packer", "files", "containerd");

export function writeNodeImageFiles(dir = NODE_IMAGE_CONTAINERD_DIR): void {
  rmSync(join(dir, "etc"), { recursive: true, force: true });
  for (const file of nodeImageContainerdFiles(site.kubernetesVersion, CONTAINERD_VERSION)) {
    const target = join(dir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
}

if (require.main === module) writeNodeImageFiles();
