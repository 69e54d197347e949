#!/usr/bin/env bash
# Operating-system settings kubeadm needs: updates, no swap, kernel modules and sysctls,
# SELinux permissive, firewalld off, NetworkManager hands-off Calico's interfaces.
set -euo pipefail

# --- Updates (from the internal mirrors configured by 10-yum-repos.sh) and node tooling.
dnf -y update
# conntrack/socat/ethtool/tc: kubeadm preflight and kube-proxy; lvm2: Rook-Ceph OSDs;
# versionlock: pins containerd.io and the Kubernetes packages (40-kubernetes.sh);
# openssl/curl/python3: the node bootstrap (lib/cluster/bootstrap-script.ts) signs kube-vip's and its
# etcd client certificate, checks /readyz and talks to etcd's JSON gateway with them.
# nftables: nft loads the host firewall (lib/cluster/host-firewall.ts) at boot.
dnf -y install \
  python3-dnf-plugin-versionlock \
  conntrack-tools socat ethtool iproute-tc iptables-nft ipset nftables \
  lvm2 nfs-utils chrony tar jq \
  openssl curl python3

# --- Swap off, now and for good (the kubelet refuses to start with swap on by default).
swapoff -a
sed -i -E '/^[^#].*[[:space:]]swap[[:space:]]/d' /etc/fstab
if grep -Eq '^[^#].*[[:space:]]swap[[:space:]]' /etc/fstab; then
  echo "os-base: swap still in /etc/fstab" >&2
  exit 1
fi
systemctl mask swap.target

# --- Kernel modules and sysctls for the pod network.
cat > /etc/modules-load.d/kubernetes.conf <<'CONF'
# Managed by the node image build: container overlay filesystem and bridged pod traffic.
overlay
br_netfilter
CONF
modprobe overlay
modprobe br_netfilter

cat > /etc/sysctl.d/90-kubernetes.conf <<'CONF'
# Managed by the node image build.
net.bridge.bridge-nf-call-iptables  = 1
net.bridge.bridge-nf-call-ip6tables = 1
net.ipv4.ip_forward                 = 1
# Room for many pods and their file watches (Prometheus, Argo CD, Ceph).
fs.inotify.max_user_instances       = 8192
fs.inotify.max_user_watches         = 524288
CONF
sysctl --system >/dev/null
for key in net.bridge.bridge-nf-call-iptables net.ipv4.ip_forward; do
  if [[ "$(sysctl -n "$key")" != "1" ]]; then
    echo "os-base: $key is not 1" >&2
    exit 1
  fi
done

# --- SELinux: permissive, as kubeadm's install guide requires (control-plane static pods and
# several add-ons mount host paths without SELinux labels). Permissive still logs denials, so a
# later move to enforcing with container-selinux policies can be prepared from the audit log.
setenforce 0 || true
sed -i -E 's/^SELINUX=.*/SELINUX=permissive/' /etc/selinux/config
grep -q '^SELINUX=permissive$' /etc/selinux/config

# --- firewalld off: Calico programs the node's iptables/nftables rules itself, and a firewalld
# reload would flush or reorder them. Node-to-node access is controlled by the datacenter
# firewall and by Calico policies (the ports kubeadm needs are listed in packer/README.md).
if systemctl list-unit-files firewalld.service >/dev/null 2>&1; then
  systemctl disable --now firewalld.service || true
  systemctl mask firewalld.service
fi

# --- NetworkManager must not manage (and reset) Calico's interfaces.
cat > /etc/NetworkManager/conf.d/calico.conf <<'CONF'
# Managed by the node image build: interfaces created by Calico.
[keyfile]
unmanaged-devices=interface-name:cali*;interface-name:tunl*;interface-name:vxlan.calico;interface-name:vxlan-v6.calico;interface-name:wireguard.cali;interface-name:wg-v6.cali
CONF

# --- Time: etcd and Ceph need synchronized clocks; servers come from cloud-init (ntp module)
# or DHCP on the node network.
systemctl enable chronyd.service

echo "os-base: done"
