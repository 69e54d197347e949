import { mirrorApiRoot } from "../config/registry-mirror";
import type { RegistryMirrorConfig } from "../config/types";

/**
 * Upstream registries containerd redirects to the mirror. Any image of these registries is pulled
 * from `<mirror>/<pathPrefix>/<registry>/...`; a registry not listed here is pulled from upstream,
 * which fails in an air-gapped site (that is the visible error you want, not a silent fallback).
 */
export const MIRRORED_REGISTRIES = ["docker.io", "registry.k8s.io", "quay.io", "ghcr.io", "gcr.io", "registry.gitlab.com", "public.ecr.aws"] as const;

/** Where containerd finds one `<registry>/hosts.toml` per mirrored registry (config_path). */
export const CONTAINERD_HOSTS_DIR = "/etc/containerd/certs.d";

/** Where containerd reaches each upstream registry when there is no mirror in front of it. */
const UPSTREAM_ENDPOINT: Readonly<Record<string, string>> = { "docker.io": "https://registry-1.docker.io" };

/** Where containerd finds the extra CA that signed the mirror's certificate. */
export function mirrorCaPath(mirror: RegistryMirrorConfig): string {
  return `${CONTAINERD_HOSTS_DIR}/${mirror.host}/ca.crt`;
}

/**
 * `/etc/containerd/certs.d/<registry>/hosts.toml`: pull and resolve through the mirror, under the
 * path prefix (`override_path`: the host URL is already the API root, containerd must not add `/v2`).
 */
export function hostsToml(registry: string, mirror: RegistryMirrorConfig): string {
  const server = UPSTREAM_ENDPOINT[registry] ?? `https://${registry}`;
  const lines = [
    `# Rendered by lib/cluster/mirror.ts: ${registry} is pulled through the mirror ${mirror.host}.`,
    `server = "${server}"`,
    "",
    `[host."${mirrorApiRoot(mirror, registry)}"]`,
    `  capabilities = ["pull", "resolve"]`,
    `  override_path = true`,
  ];
  if (mirror.caPem) lines.push(`  ca = "${mirrorCaPath(mirror)}"`);
  return `${lines.join("\n")}\n`;
}
