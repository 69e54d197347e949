import { parseKubeVersion, pauseImageTag } from "../cluster/versions";

/**
 * The images `kubeadm config images list` prints, per Kubernetes minor: kubeadm pins etcd, CoreDNS and pause
 * in its own source, so they cannot be derived here. One row per minor the library deploys; a minor without a
 * row fails the bill of materials (and its test) with the fix: add the row from the release's
 * cmd/kubeadm/app/constants/constants.go (SupportedEtcdVersion[minor], CoreDNSVersion, PauseVersion), or run
 * `kubeadm config images list --kubernetes-version <x.y.z>` on a node image of that minor.
 */
export const KUBEADM_IMAGE_TABLE: Readonly<Record<string, { readonly etcd: string; readonly coredns: string; readonly pause: string }>> = {
  // kubernetes v1.34.x cmd/kubeadm/app/constants/constants.go: SupportedEtcdVersion[34] 3.6.4-0, CoreDNSVersion v1.12.1, PauseVersion 3.10.1
  "1.34": { etcd: "3.6.4-0", coredns: "v1.12.1", pause: "3.10.1" },
  // kubernetes v1.35.x cmd/kubeadm/app/constants/constants.go: SupportedEtcdVersion[35] 3.6.6-0, CoreDNSVersion v1.13.1, PauseVersion 3.10.1
  "1.35": { etcd: "3.6.6-0", coredns: "v1.13.1", pause: "3.10.1" },
};

/** Thrown when a Kubernetes minor has no row: the message says what to add. */
export class MissingTableRowError extends Error {}

/** Upstream references of kubeadm's images for an exact version (control plane at that version, kube-proxy included). */
export function kubeadmImages(version: string): string[] {
  const { major, minor } = parseKubeVersion(version);
  const key = `${major}.${minor}`;
  const row = KUBEADM_IMAGE_TABLE[key];
  if (!row) {
    throw new MissingTableRowError(
      `Kubernetes ${version}: no row "${key}" in KUBEADM_IMAGE_TABLE (lib/bom/kubeadm-images.ts); add etcd, CoreDNS and pause of kubeadm ${key} (kubernetes cmd/kubeadm/app/constants/constants.go at v${version})`,
    );
  }
  if (row.pause !== pauseImageTag(version)) {
    throw new MissingTableRowError(`Kubernetes ${version}: KUBEADM_IMAGE_TABLE["${key}"].pause is ${row.pause} but pauseImageTag() (containerd's sandbox image) says ${pauseImageTag(version)}: make them agree`);
  }
  const tag = `v${version.replace(/^v/, "")}`;
  return [
    ...["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy"].map((c) => `registry.k8s.io/${c}:${tag}`),
    `registry.k8s.io/coredns/coredns:${row.coredns}`,
    `registry.k8s.io/pause:${row.pause}`,
    `registry.k8s.io/etcd:${row.etcd}`,
  ];
}
