/**
 * /etc/containerd/config.toml. Written in config format version 2, which containerd 1.7 reads
 * natively and containerd 2.x migrates in memory, so the file does not depend on the template's
 * containerd major version.
 * - SystemdCgroup: kubelet uses the systemd cgroup driver (kubeadm's default); both must agree.
 * - sandbox_image: the pause image from the mirror, at the tag kubeadm expects (else kubeadm warns
 *   and containerd tries upstream for it).
 * - config_path: registry mirrors live in certs.d/<registry>/hosts.toml, one file per registry.
 */
export function containerdConfigToml(sandboxImage: string): string {
  return [
    "# Managed by the cluster bootstrap.",
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
    `  config_path = "/etc/containerd/certs.d"`,
    "",
  ].join("\n");
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

