import { containerdFiles, type NodeFile } from "./containerd";

/**
 * The containerd files the node image bakes in (packer/files/containerd/etc/...), rendered by the
 * same function as the cloud-config's, so the image and the cloud-config cannot drift apart. One
 * image serves any site, so the registry mirror is a pair of placeholders that the image build fills
 * from its Packer variables (packer/files/containerd/install.sh). The path prefix placeholder is
 * always followed by "/" in the rendering, and is replaced together with it: "" for no prefix.
 */
export const MIRROR_HOST_PLACEHOLDER = "@REGISTRY_MIRROR_HOST@";
export const MIRROR_PATH_PREFIX_PLACEHOLDER = "@REGISTRY_MIRROR_PATH_PREFIX@";

export function nodeImageContainerdFiles(kubernetesVersion: string, containerdVersion: string): NodeFile[] {
  return containerdFiles(kubernetesVersion, { host: MIRROR_HOST_PLACEHOLDER, pathPrefix: MIRROR_PATH_PREFIX_PLACEHOLDER }, containerdVersion);
}
