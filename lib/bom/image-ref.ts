/** `quay.io/ceph/ceph:v20` -> name `quay.io/ceph/ceph`, tag `v20`; a digest (`@sha256:...`) is kept as the tag. */
export function splitImage(ref: string): { name: string; tag?: string } {
  const at = ref.indexOf("@");
  if (at >= 0) return { name: ref.slice(0, at), tag: ref.slice(at) };
  const colon = ref.lastIndexOf(":");
  return colon > ref.lastIndexOf("/") ? { name: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { name: ref };
}

/** `name:tag` (or `name@digest`). */
export function joinImage(name: string, tag: string): string {
  return tag.startsWith("@") ? `${name}${tag}` : `${name}:${tag}`;
}

/** The upstream name of a reference the environment pulls from the mirror (unchanged when it is not under it). */
export function unmirror(ref: string, mirrorBase: string | undefined): string {
  return mirrorBase && ref.startsWith(`${mirrorBase}/`) ? ref.slice(mirrorBase.length + 1) : ref;
}

/** The registry host of a canonical reference (its first path segment). */
export function registryOf(ref: string): string {
  return ref.split("/")[0];
}

/** `<registry>/<repository>` -> `<repository>`; the path under the registry's API `/v2/`. */
export function repositoryOf(name: string): string {
  return name.split("/").slice(1).join("/");
}
