#!/usr/bin/env bash
# VMware guest agents: open-vm-tools reporting only the node's real IP to vCenter, and
# cloud-init reading its configuration from guestinfo (VMware datasource first).
set -euo pipefail

dnf -y install open-vm-tools cloud-init cloud-utils-growpart

# Without the exclusions vCenter (and therefore Terraform's default_ip_address and DRS/HA tooling)
# may show a Calico tunnel or veth address as the VM's IP. Setting exclude-nics replaces the
# built-in default list, so that list (veth*, docker*, virbr*) is repeated here.
install -d -m 0755 /etc/vmware-tools
cat > /etc/vmware-tools/tools.conf <<'CONF'
# Managed by the node image build (packer/scripts/60-guest-agents.sh).
[guestinfo]
primary-nics=ens*,eth*
exclude-nics=cali*,tunl*,vxlan*,veth*,docker*,virbr*,cni*,flannel*,kube-ipvs*,nodelocaldns*,wireguard*,wg-*,lxc*,cilium*,antrea-*,ovs-*,genev_sys_*,nerdctl*
CONF
systemctl enable vmtoolsd.service

# Clones are configured through guestinfo.metadata / guestinfo.userdata (no VMware guest
# customization: it must not be combined with cloud-init).
cat > /etc/cloud/cloud.cfg.d/10-vmware-datasource.cfg <<'CONF'
# Managed by the node image build (packer/scripts/60-guest-agents.sh).
datasource_list: [ VMware, NoCloud, None ]
disable_vmware_customization: true
CONF

# cloud-init's units are enabled by the package preset; make sure the first stage is.
if ! systemctl is-enabled --quiet cloud-init-local.service; then
  systemctl enable cloud-init-local.service
fi
# The node network-config (routes `to: 0.0.0.0/0`, VMware datasource, gzip+base64 guestinfo) is
# proven against cloud-init 22.4 (__tests__/behaviour/node-network.test.ts): refuse anything older.
if ! [[ "$(cloud-init --version 2>&1)" =~ ([0-9]+)\.([0-9]+) ]]; then
  echo "guest-agents: cannot read the cloud-init version" >&2
  exit 1
fi
cloud_init_version="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
if ((BASH_REMATCH[1] < 22 || (BASH_REMATCH[1] == 22 && BASH_REMATCH[2] < 4))); then
  echo "guest-agents: cloud-init ${cloud_init_version} is older than 22.4, the oldest version tested" >&2
  exit 1
fi
echo "guest-agents: cloud-init ${cloud_init_version}; done"
