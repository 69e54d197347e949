/**
 * Version facts the bootstrap depends on. Pinned here, in one place, so a review of this file shows
 * every version change the nodes will see.
 */

/** kube-vip release run as a static pod on control-plane nodes (ARP mode). */
export const KUBE_VIP_IMAGE = "ghcr.io/kube-vip/kube-vip:v1.0.4";

/**
 * containerd (the `containerd.io` package) the node image installs when its manifest does not say
 * (packer/ variable `containerd_version`, recorded in the manifest as `containerd_version`). It
 * selects the config.toml format: version 2 for 1.x, version 3 for 2.x.
 */
export const CONTAINERD_VERSION = "1.7.28";

export interface KubeVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** Parses an exact "x.y.z" (config is validated, so anything else is a bug). */
export function parseKubeVersion(version: string): KubeVersion {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m) throw new Error(`not an exact Kubernetes version x.y.z: ${JSON.stringify(version)}`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/** kubeadm.k8s.io/v1beta4 exists from kubeadm 1.31; older kubeadm only reads v1beta3. */
export function kubeadmApiVersion(version: string): "kubeadm.k8s.io/v1beta4" | "kubeadm.k8s.io/v1beta3" {
  return parseKubeVersion(version).minor >= 31 ? "kubeadm.k8s.io/v1beta4" : "kubeadm.k8s.io/v1beta3";
}

/**
 * Since 1.29 kubeadm's admin.conf is no longer system:masters and is only authorized once init has
 * created its RBAC binding; kube-vip needs a working kubeconfig *during* init, hence super-admin.conf
 * (kube-vip#684).
 */
export function needsSuperAdminForKubeVip(version: string): boolean {
  return parseKubeVersion(version).minor >= 29;
}

/** The pause image kubeadm of that minor expects (containerd's sandbox image must match it). */
export function pauseImageTag(version: string): string {
  const { minor } = parseKubeVersion(version);
  return minor >= 34 ? "3.10.1" : minor >= 31 ? "3.10" : "3.9";
}
