#!/usr/bin/env bash
# containerd (with runc) at the pinned version from the internal mirror of the Docker CE repository,
# configured with the files generated from lib/cluster (packer/files/containerd, uploaded to
# /tmp/containerd): systemd cgroups, the mirror's pause image, one hosts.toml per mirrored registry.
# crictl is pointed at containerd.
set -euo pipefail

: "${CONTAINERD_VERSION:?set by rocky9.pkr.hcl}"
: "${REGISTRY_MIRROR_HOST:?set by rocky9.pkr.hcl}"
config_source=/tmp/containerd

# containerd.io ships containerd and runc; the CNI plugins and crictl come with the Kubernetes
# packages (kubernetes-cni, cri-tools) in 40-kubernetes.sh, which also version-locks containerd.io.
dnf -y install "containerd.io-${CONTAINERD_VERSION}"
command -v runc >/dev/null
installed=$(rpm -q --queryformat '%{VERSION}' containerd.io)
if [[ "$installed" != "$CONTAINERD_VERSION" ]]; then
  echo "containerd: containerd.io ${installed} installed, ${CONTAINERD_VERSION} expected" >&2
  exit 1
fi

# Replaces the package's config.toml (it disables the CRI plugin; it is meant for Docker). install.sh
# reads REGISTRY_MIRROR_HOST and REGISTRY_MIRROR_PATH_PREFIX (empty: no prefix) from the environment.
bash "$config_source/install.sh" /
rm -rf "$config_source"
# What containerd itself reads from the file (a key under the wrong table would be ignored silently).
# 1.x dumps "double", 2.x 'single' quotes; 2.x calls the sandbox image `sandbox`.
dump=$(containerd config dump)
for expected in 'SystemdCgroup = true' "config_path = [\"']/etc/containerd/certs.d[\"']" "(sandbox_image|sandbox) = [\"'][^\"']+/pause:"; do
  if ! grep -Eq "$expected" <<<"$dump"; then
    echo "containerd: 'containerd config dump' lacks: $expected" >&2
    exit 1
  fi
done

cat > /etc/crictl.yaml <<'YAML'
runtime-endpoint: unix:///run/containerd/containerd.sock
image-endpoint: unix:///run/containerd/containerd.sock
timeout: 30
YAML

systemctl enable containerd.service
systemctl restart containerd.service
ctr version
echo "containerd: ${CONTAINERD_VERSION} done"
