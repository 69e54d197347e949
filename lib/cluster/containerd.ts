import type { RegistryMirrorConfig } from "../config/types";
import { mirroredImage } from "../config/registry-mirror";
import { CONTAINERD_HOSTS_DIR, hostsToml, MIRRORED_REGISTRIES } from "./mirror";
import { CONTAINERD_VERSION, pauseImageTag } from "./versions";

/**
 * /etc/containerd/config.toml, in the config format of the node image's containerd: version 2 for
 * containerd 1.x, version 3 (new CRI plugin names) for 2.x. 2.x would migrate a version 2 file in
 * memory, but writing its own format keeps `containerd config dump` on the node equal to the file.
 * - SystemdCgroup: kubelet uses the systemd cgroup driver (kubeadm's default); both must agree.
 * - sandbox image: the pause image from the mirror, at the tag kubeadm expects (else kubeadm warns
 *   and containerd tries upstream for it).
 * - config_path: registry mirrors live in certs.d/<registry>/hosts.toml, one file per registry
 *   (containerd 1.7 leaves it empty by default).
 */
export function containerdConfigToml(sandboxImage: string, containerdVersion: string = CONTAINERD_VERSION): string {
  const header = [`# Rendered by lib/cluster/containerd.ts for containerd ${containerdVersion}; the cloud-config rewrites it at first boot.`];
  if (containerdMajor(containerdVersion) >= 2) {
    return [
      ...header,
      "version = 3",
      "",
      `[plugins.'io.containerd.cri.v1.images'.pinned_images]`,
      `  sandbox = '${sandboxImage}'`,
      "",
      `[plugins.'io.containerd.cri.v1.images'.registry]`,
      `  config_path = '${CONTAINERD_HOSTS_DIR}'`,
      "",
      `[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]`,
      `  runtime_type = 'io.containerd.runc.v2'`,
      "",
      `[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]`,
      "  SystemdCgroup = true",
      "",
    ].join("\n");
  }
  return [
    ...header,
    "version = 2",
    "",
    `[plugins."io.containerd.grpc.v1.cri"]`,
    `  sandbox_image = "${sandboxImage}"`,
    "",
    `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]`,
    `  runtime_type = "io.containerd.runc.v2"`,
    "",
    `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]`,
    "  SystemdCgroup = true",
    "",
    `[plugins."io.containerd.grpc.v1.cri".registry]`,
    `  config_path = "${CONTAINERD_HOSTS_DIR}"`,
    "",
  ].join("\n");
}

function containerdMajor(version: string): number {
  const m = /^(\d+)\.\d+\.\d+$/.exec(version);
  if (!m) throw new Error(`not an exact containerd version x.y.z: ${JSON.stringify(version)}`);
  return Number(m[1]);
}

/** A file for the node's filesystem: absolute path and content. */
export interface NodeFile {
  readonly path: string;
  readonly content: string;
}

/**
 * containerd's configuration on a node: config.toml and, with a mirror, one hosts.toml per mirrored
 * registry. THE one rendering: the cloud-config writes these files at first boot and the node image
 * bakes in the same files (packer/files/containerd, generated from this with the mirror as
 * placeholders), so image and cloud-config cannot drift apart.
 */
export function containerdFiles(kubernetesVersion: string, mirror: RegistryMirrorConfig | undefined, containerdVersion?: string): NodeFile[] {
  const sandboxImage = mirroredImage(`registry.k8s.io/pause:${pauseImageTag(kubernetesVersion)}`, mirror);
  const files: NodeFile[] = [{ path: "/etc/containerd/config.toml", content: containerdConfigToml(sandboxImage, containerdVersion) }];
  if (mirror) {
    for (const registry of MIRRORED_REGISTRIES) files.push({ path: `${CONTAINERD_HOSTS_DIR}/${registry}/hosts.toml`, content: hostsToml(registry, mirror) });
  }
  return files;
}

/** Kernel modules containerd and kube-proxy/Calico need, loaded at every boot. */
export const KERNEL_MODULES = ["overlay", "br_netfilter"] as const;

/** Bridged traffic through iptables and IPv4 forwarding: kubeadm preflight fails without them. */
export const KUBERNETES_SYSCTLS: Readonly<Record<string, string>> = {
  "net.bridge.bridge-nf-call-iptables": "1",
  "net.bridge.bridge-nf-call-ip6tables": "1",
  "net.ipv4.ip_forward": "1",
};

export function sysctlConf(): string {
  return `${Object.entries(KUBERNETES_SYSCTLS).map(([k, v]) => `${k} = ${v}`).join("\n")}\n`;
}

export function modulesLoadConf(): string {
  return `${KERNEL_MODULES.join("\n")}\n`;
}

