#!/usr/bin/env bash
# Pre-pull every image a node needs to bootstrap, from the internal registry mirror, so kubeadm
# init/join needs no registry at all: the kubeadm images, kube-vip and any extra images.
#
# Each image is stored twice (same blobs, two names): under its mirror name
# (<mirror>/registry.k8s.io/kube-apiserver:v1.35.9, what kubeadm uses with
# imageRepository: <mirror>/registry.k8s.io) and under its upstream name
# (registry.k8s.io/kube-apiserver:v1.35.9, what kubeadm uses by default, resolved through the
# containerd mirror configuration of 30-containerd.sh).
set -euo pipefail

: "${KUBERNETES_VERSION:?set by rocky9.pkr.hcl}"
: "${KUBE_VIP_VERSION:?set by rocky9.pkr.hcl}"
: "${REGISTRY_MIRROR:?set by rocky9.pkr.hcl}"
PREPULL_IMAGES=${PREPULL_IMAGES:-}

k8s_repo="${REGISTRY_MIRROR}/registry.k8s.io"
cri_socket=unix:///run/containerd/containerd.sock

# kubeadm names CoreDNS <imageRepository>/coredns when imageRepository is not registry.k8s.io,
# but the mirror keeps the upstream path coredns/coredns: set dns.imageRepository explicitly.
# (The cluster's kubeadm ClusterConfiguration must do the same when it uses the mirror names.)
kubeadm_config=$(mktemp --suffix=.yaml)
trap 'rm -f "$kubeadm_config"' EXIT
cat > "$kubeadm_config" <<YAML
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: v${KUBERNETES_VERSION}
imageRepository: ${k8s_repo}
dns:
  imageRepository: ${k8s_repo}/coredns
YAML

mapfile -t kubeadm_images < <(kubeadm config images list --config "$kubeadm_config")
kubeadm config images pull --config "$kubeadm_config" --cri-socket "$cri_socket"

tag_upstream() { # <mirror name> <upstream name>
  ctr -n k8s.io images tag --force "$1" "$2" >/dev/null
  echo "pull-images: $1 (also as $2)"
}

pause_image=""
for image in "${kubeadm_images[@]}"; do
  tag_upstream "$image" "registry.k8s.io/${image#"${k8s_repo}/"}"
  case "$image" in
    */pause:*) pause_image=$image ;;
  esac
done
if [[ -z "$pause_image" ]]; then
  echo "pull-images: kubeadm listed no pause image" >&2
  exit 1
fi

# containerd's sandbox (pause) image must be the one kubeadm expects, or kubeadm preflight warns
# and containerd would try to pull its own default. containerd 1.7: sandbox_image = "...";
# containerd 2.x: sandbox = '...'.
sed -i -E \
  -e "s#^([[:space:]]*sandbox_image[[:space:]]*=[[:space:]]*).*#\\1\"${pause_image}\"#" \
  -e "s#^([[:space:]]*sandbox[[:space:]]*=[[:space:]]*).*#\\1'${pause_image}'#" \
  /etc/containerd/config.toml
grep -Fq "$pause_image" /etc/containerd/config.toml
systemctl restart containerd.service

pull_via_mirror() { # <upstream name>
  ctr -n k8s.io images pull "${REGISTRY_MIRROR}/$1" >/dev/null
  tag_upstream "${REGISTRY_MIRROR}/$1" "$1"
}

# kube-vip runs as a static pod on control-plane nodes before the API server exists.
pull_via_mirror "ghcr.io/kube-vip/kube-vip:${KUBE_VIP_VERSION}"

for image in $PREPULL_IMAGES; do
  pull_via_mirror "$image"
done

crictl images
echo "pull-images: done"
