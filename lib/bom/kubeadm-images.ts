import { parseKubeVersion, pauseImageTag } from "../cluster/versions";

/**
 * The images `kubeadm config images list` prints, per exact Kubernetes version: kubeadm pins etcd, CoreDNS and
 * pause in its own source (cmd/kubeadm/app/constants/constants.go: SupportedEtcdVersion[minor], CoreDNSVersion,
 * PauseVersion), so they cannot be derived here. Per exact version, not per minor: etcd bumps are backported
 * to patch releases (kubernetes' etcd bump procedure updates SupportedEtcdVersion of the supported minors, e.g.
 * 34/35/36: "3.6.8-0" -> "3.6.9-0"). A version without a row fails the bill of materials with the fix.
 * Check a new row on the connected side with `kubeadm config images list --kubernetes-version v<x.y.z>`
 * (kubeadm of that version); `unverified` marks a row not yet checked that way (the BOM source says so).
 */
export const KUBEADM_IMAGE_TABLE: Readonly<Record<string, { readonly etcd: string; readonly coredns: string; readonly pause: string; readonly unverified?: true }>> = {
  // constants.go of the 1.35 line: CoreDNSVersion v1.13.1, PauseVersion 3.10.1; SupportedEtcdVersion[35] after the 3.6.9 backport.
  "1.35.9": { etcd: "3.6.9-0", coredns: "v1.13.1", pause: "3.10.1", unverified: true },
};

/** Thrown when a Kubernetes minor has no row: the message says what to add. */
export class MissingTableRowError extends Error {}

export function kubeadmTableRow(version: string): (typeof KUBEADM_IMAGE_TABLE)[string] | undefined {
  const { major, minor, patch } = parseKubeVersion(version);
  return KUBEADM_IMAGE_TABLE[`${major}.${minor}.${patch}`];
}

/** Upstream references of kubeadm's images for an exact version (control plane at that version, kube-proxy included). */
export function kubeadmImages(version: string): string[] {
  const { major, minor, patch } = parseKubeVersion(version);
  const key = `${major}.${minor}.${patch}`;
  const row = kubeadmTableRow(version);
  if (!row) {
    throw new MissingTableRowError(
      `Kubernetes ${version}: no row "${key}" in KUBEADM_IMAGE_TABLE (lib/bom/kubeadm-images.ts); add etcd, CoreDNS and pause of kubeadm ${key} (\`kubeadm config images list --kubernetes-version v${key}\`, or cmd/kubeadm/app/constants/constants.go at v${key})`,
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
