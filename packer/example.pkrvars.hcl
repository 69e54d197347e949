# Example values for `packer validate` (packer/check.sh) and a starting point for a real var file.
# Every host name is a placeholder. The passwords are dummies: for a real build leave them out and
# export PKR_VAR_vcenter_password and PKR_VAR_build_password instead.

vcenter_server   = "vcenter.example.internal"
vcenter_username = "svc-packer@vsphere.local"
vcenter_password = "example-not-a-real-password"

datacenter = "dc1"
cluster    = "cluster-a"
datastore  = "vsan-a"
folder     = "templates/kubernetes"
network    = "build-vlan-120"
iso_path   = "[iso-nfs] rocky/Rocky-9.6-x86_64-dvd.iso"

# The oldest ESXi version in the cluster: caps the hardware version (6.7: 15, 7.0: 19, 8.0: 20) and
# picks the guest id (6.7: rhel8_64Guest). Same value as vsphere.version in the environment config.
vsphere_version = "7.0"

cpus       = 2
memory_mib = 4096
disk_gib   = 40
firmware   = "efi"

kubernetes_version          = "1.35.9"
registry_mirror_host        = "gitlab.example.internal:5050"
registry_mirror_path_prefix = "platform/mirror"

yum_mirror_baseos             = "https://mirror.example.internal/rocky/9/BaseOS/x86_64/os/"
yum_mirror_appstream          = "https://mirror.example.internal/rocky/9/AppStream/x86_64/os/"
yum_mirror_kubernetes         = "https://mirror.example.internal/pkgs.k8s.io/core/stable/v1.35/rpm/"
yum_mirror_containerd         = "https://mirror.example.internal/docker-ce/linux/rhel/9/x86_64/stable/"
yum_mirror_containerd_gpg_key = "https://mirror.example.internal/docker-ce/linux/rhel/gpg"

# ca_bundle_file  = "/etc/pki/ca-trust/source/anchors/corporate-ca.pem"
# content_library = "kubernetes-templates"

build_password = "example-build-password-0000"
