#!/usr/bin/env bash
# kubelet, kubeadm, kubectl at exactly KUBERNETES_VERSION (plus cri-tools = crictl and
# kubernetes-cni = the CNI plugins in /opt/cni/bin), locked against upgrades twice over:
# `exclude=` in the repository (kubeadm's documented pattern) and dnf versionlock.
set -euo pipefail

: "${KUBERNETES_VERSION:?set by rocky9.pkr.hcl}"

dnf -y install --disableexcludes=internal-kubernetes \
  "kubelet-${KUBERNETES_VERSION}" \
  "kubeadm-${KUBERNETES_VERSION}" \
  "kubectl-${KUBERNETES_VERSION}" \
  cri-tools kubernetes-cni

dnf versionlock add kubelet kubeadm kubectl cri-tools kubernetes-cni containerd.io

for binary in kubeadm kubelet kubectl; do
  case "$binary" in
    kubeadm) got=$(kubeadm version -o short) ;;
    kubelet) got=$(kubelet --version | awk '{ print $2 }') ;;
    kubectl) got=$(kubectl version --client -o json | jq -r .clientVersion.gitVersion) ;;
  esac
  if [[ "$got" != "v${KUBERNETES_VERSION}" ]]; then
    echo "kubernetes: $binary is $got, expected v${KUBERNETES_VERSION}" >&2
    exit 1
  fi
done
test -x /opt/cni/bin/bridge
command -v crictl >/dev/null

# The kubelet restarts in a loop until kubeadm init/join writes its configuration: expected.
systemctl enable kubelet.service
echo "kubernetes: kubelet, kubeadm and kubectl v${KUBERNETES_VERSION} installed and locked"
