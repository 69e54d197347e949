import type { RegistryMirrorConfig } from "./types";

/**
 * THE mirror layout, shared by the node bootstrap (containerd, kubeadm, kube-vip) and the Helm
 * add-ons, which must agree on it: an upstream image `<registry>/<repo>` lives at
 * `<host>[/<pathPrefix>]/<registry>/<repo>`.
 */

/** `<host>[/<pathPrefix>]` without leading or trailing slash. */
export function mirrorBase(mirror: RegistryMirrorConfig): string {
  const prefix = (mirror.pathPrefix ?? "").replace(/^\/+|\/+$/g, "");
  return prefix === "" ? mirror.host : `${mirror.host}/${prefix}`;
}

/**
 * The registry API root under which the mirror serves `<registry>`'s repositories: containerd's
 * hosts.toml host URL (with `override_path`). Registries serve `/v2/<name>/manifests/<ref>` where the
 * name carries the path prefix, so the prefix goes AFTER `/v2`: `https://<host>/v2/<pathPrefix>/<registry>`.
 */
export function mirrorApiRoot(mirror: RegistryMirrorConfig, registry: string): string {
  const prefix = (mirror.pathPrefix ?? "").replace(/^\/+|\/+$/g, "");
  return `https://${mirror.host}/v2/${prefix === "" ? "" : `${prefix}/`}${registry}`;
}

/** `ghcr.io/kube-vip/kube-vip:v1` -> `<mirror base>/ghcr.io/kube-vip/kube-vip:v1` (unchanged without a mirror). */
export function mirroredImage(image: string, mirror: RegistryMirrorConfig | undefined): string {
  return mirror ? `${mirrorBase(mirror)}/${image}` : image;
}
