#!/usr/bin/env bash
# Point YUM/DNF at the internal mirrors only. The stock Rocky repositories are disabled (edited,
# not deleted: a deleted %config(noreplace) file would come back with the next rocky-repos update)
# and the build fails if any enabled repository is not one of ours.
set -euo pipefail

: "${KUBERNETES_VERSION:?set by rocky9.pkr.hcl}"
: "${YUM_MIRROR_BASEOS:?set by rocky9.pkr.hcl}"
: "${YUM_MIRROR_APPSTREAM:?set by rocky9.pkr.hcl}"
: "${YUM_MIRROR_KUBERNETES:?set by rocky9.pkr.hcl}"
: "${YUM_MIRROR_CONTAINERD:?set by rocky9.pkr.hcl}"
: "${YUM_MIRROR_CONTAINERD_GPG_KEY:?set by rocky9.pkr.hcl}"

shopt -s nullglob
for repo in /etc/yum.repos.d/*.repo; do
  case "$(basename "$repo")" in
    internal-*.repo) continue ;;
  esac
  # Drop every enabled= line and put enabled=0 under each [section] (a section without an
  # enabled= line would otherwise stay enabled).
  sed -i -E -e '/^[[:space:]]*enabled[[:space:]]*=/d' -e 's/^(\[[^]]+\])[[:space:]]*$/\1\nenabled=0/' "$repo"
  echo "yum-repos: disabled every repository in $repo"
done
shopt -u nullglob

cat > /etc/yum.repos.d/internal-rocky.repo <<REPO
# Managed by the node image build (packer/scripts/10-yum-repos.sh): internal mirrors only.
[internal-baseos]
name=Rocky Linux 9 BaseOS (internal mirror)
baseurl=${YUM_MIRROR_BASEOS}
enabled=1
gpgcheck=1
gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-Rocky-9

[internal-appstream]
name=Rocky Linux 9 AppStream (internal mirror)
baseurl=${YUM_MIRROR_APPSTREAM}
enabled=1
gpgcheck=1
gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-Rocky-9
REPO

# The kubeadm install guide's pattern: the Kubernetes packages are excluded from normal
# transactions, so `dnf update` can never move them; installs use --disableexcludes.
cat > /etc/yum.repos.d/internal-kubernetes.repo <<REPO
# Managed by the node image build (packer/scripts/10-yum-repos.sh): internal mirror only.
[internal-kubernetes]
name=Kubernetes ${KUBERNETES_VERSION%.*} (internal mirror of pkgs.k8s.io)
baseurl=${YUM_MIRROR_KUBERNETES}
enabled=1
gpgcheck=1
gpgkey=${YUM_MIRROR_KUBERNETES%/}/repodata/repomd.xml.key
exclude=kubelet kubeadm kubectl cri-tools kubernetes-cni
REPO

cat > /etc/yum.repos.d/internal-containerd.repo <<REPO
# Managed by the node image build (packer/scripts/10-yum-repos.sh): internal mirror only.
[internal-containerd]
name=containerd.io (internal mirror of the Docker CE repository)
baseurl=${YUM_MIRROR_CONTAINERD}
enabled=1
gpgcheck=1
gpgkey=${YUM_MIRROR_CONTAINERD_GPG_KEY}
includepkgs=containerd.io
REPO

if [[ "$YUM_MIRROR_KUBERNETES" != *"v${KUBERNETES_VERSION%.*}"* ]]; then
  echo "yum-repos: WARNING: $YUM_MIRROR_KUBERNETES does not mention v${KUBERNETES_VERSION%.*}; pkgs.k8s.io has one repository per minor version" >&2
fi

dnf clean all
dnf -y makecache

# Fail closed: the only enabled repositories are the internal ones written above.
enabled=$(dnf repolist --enabled | awk '$1 != "repo" { print $1 }' | sort | tr '\n' ' ')
expected="internal-appstream internal-baseos internal-containerd internal-kubernetes "
if [[ "$enabled" != "$expected" ]]; then
  echo "yum-repos: enabled repositories are '${enabled}', expected '${expected}'" >&2
  exit 1
fi
echo "yum-repos: enabled repositories: ${enabled}"
