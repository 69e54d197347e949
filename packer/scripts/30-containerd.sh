#!/usr/bin/env bash
# containerd (with runc) from the internal mirror of the Docker CE repository, systemd cgroups,
# upstream registries redirected to the internal registry mirror, crictl pointed at containerd.
set -euo pipefail

: "${REGISTRY_MIRROR:?set by rocky9.pkr.hcl}"
: "${MIRRORED_REGISTRIES:?set by rocky9.pkr.hcl}"

# containerd.io ships containerd and runc; the CNI plugins and crictl come with the Kubernetes
# packages (kubernetes-cni, cri-tools) in 40-kubernetes.sh.
dnf -y install containerd.io
command -v runc >/dev/null

install -d -m 0755 /etc/containerd /etc/containerd/certs.d
# The package's own config.toml disables the CRI plugin (it is meant for Docker): replace it with
# containerd's full default configuration, then change only what we need.
containerd config default > /etc/containerd/config.toml
sed -i -E 's/^([[:space:]]*SystemdCgroup[[:space:]]*=[[:space:]]*)false/\1true/' /etc/containerd/config.toml
# containerd 1.7 leaves the registry config_path empty (2.x defaults to /etc/containerd/certs.d).
sed -i -E "s#^([[:space:]]*config_path[[:space:]]*=[[:space:]]*)(\"\"|'')#\\1'/etc/containerd/certs.d'#" /etc/containerd/config.toml
if ! grep -Eq '^[[:space:]]*SystemdCgroup[[:space:]]*=[[:space:]]*true' /etc/containerd/config.toml; then
  echo "containerd: SystemdCgroup = true not set in /etc/containerd/config.toml" >&2
  exit 1
fi
if ! grep -Eq "^[[:space:]]*config_path[[:space:]]*=.*/etc/containerd/certs.d" /etc/containerd/config.toml; then
  echo "containerd: registry config_path does not include /etc/containerd/certs.d" >&2
  exit 1
fi

# One hosts.toml per upstream registry: pulls of e.g. registry.k8s.io/pause go to
# https://<mirror>/v2/<prefix>/registry.k8s.io/pause (override_path keeps the prefix).
mirror_host=${REGISTRY_MIRROR%%/*}
mirror_path=${REGISTRY_MIRROR#"$mirror_host"}
for registry in $MIRRORED_REGISTRIES; do
  install -d -m 0755 "/etc/containerd/certs.d/${registry}"
  cat > "/etc/containerd/certs.d/${registry}/hosts.toml" <<TOML
# Managed by the node image build: ${registry} is served by the internal registry mirror.
[host."https://${mirror_host}/v2${mirror_path}/${registry}"]
  capabilities = ["pull", "resolve"]
  override_path = true
TOML
done

cat > /etc/crictl.yaml <<'YAML'
runtime-endpoint: unix:///run/containerd/containerd.sock
image-endpoint: unix:///run/containerd/containerd.sock
timeout: 30
YAML

systemctl enable containerd.service
systemctl restart containerd.service
ctr version
echo "containerd: done"
