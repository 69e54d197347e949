# Inputs of the Rocky Linux 9 node image build. Secrets have no default: pass them with
# PKR_VAR_vcenter_password / PKR_VAR_build_password (or a git-ignored var file), never commit them.
#
# Packer 1.6.6 (the CI validator) has no regex()/can(regex()): validations use
# regex_replace(value, "^pattern$", "") == "", which is true exactly when the whole value matches.

# ---------------------------------------------------------------- vCenter connection
variable "vcenter_server" {
  type        = string
  description = "vCenter host name, e.g. vcenter.example.internal (no scheme)."
  validation {
    condition     = regex_replace(var.vcenter_server, "^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?(:[0-9]{1,5})?$", "") == ""
    error_message = "The vcenter_server must be a host name or IP address without scheme or path, e.g. \"vcenter.example.internal\"."
  }
}

variable "vcenter_username" {
  type        = string
  description = "vCenter account with the privileges listed in packer/README.md."
}

variable "vcenter_password" {
  type        = string
  sensitive   = true
  description = "Password of vcenter_username. No default: set PKR_VAR_vcenter_password."
}

variable "vcenter_insecure" {
  type        = bool
  default     = false
  description = "Skip TLS verification of vCenter. Keep false; trust the corporate CA on the build host instead."
}

# ---------------------------------------------------------------- placement
variable "datacenter" {
  type        = string
  description = "vSphere datacenter that hosts the build VM and the template."
}

variable "cluster" {
  type        = string
  description = "vSphere cluster the build VM runs in."
}

variable "resource_pool" {
  type        = string
  default     = ""
  description = "Resource pool inside the cluster; empty means the cluster's root pool."
}

variable "datastore" {
  type        = string
  description = "Datastore for the build VM (and therefore the template)."
}

variable "folder" {
  type        = string
  description = "VM folder for the template, e.g. \"templates/kubernetes\"."
}

variable "network" {
  type        = string
  description = "Port group the build VM is attached to; it needs DHCP (or see build_network_args) and must reach the mirrors."
}

variable "iso_path" {
  type        = string
  description = "Rocky Linux 9 DVD (or minimal) ISO on a datastore, e.g. \"[iso-datastore] rocky/Rocky-9.6-x86_64-dvd.iso\". The installer installs from this ISO only."
  validation {
    condition     = regex_replace(var.iso_path, "^\\[[^]]+\\] .+\\.iso$", "") == ""
    error_message = "The iso_path must be a datastore path like \"[datastore] folder/Rocky-9.6-x86_64-dvd.iso\"."
  }
}

variable "content_library" {
  type        = string
  default     = ""
  description = "If set, export the image as an OVF template to this (local) content library and delete the VM; if empty, the VM is converted to a template in `folder`."
}

# ---------------------------------------------------------------- virtual hardware
variable "cpus" {
  type        = number
  default     = 2
  description = "vCPUs of the build VM (clones set their own)."
  validation {
    condition     = var.cpus >= 2
    error_message = "The cpus must be at least 2 (kubeadm's preflight check requires 2 CPUs)."
  }
}

variable "memory_mib" {
  type        = number
  default     = 4096
  description = "Memory of the build VM in MiB (clones set their own)."
  validation {
    condition     = var.memory_mib >= 2048
    error_message = "The memory_mib must be at least 2048 (kubeadm needs about 1700 MiB)."
  }
}

variable "disk_gib" {
  type        = number
  default     = 40
  description = "OS disk size in GiB. Clones can only be this size or larger (vSphere never shrinks a cloned disk)."
  validation {
    condition     = var.disk_gib >= 20 && floor(var.disk_gib) == var.disk_gib
    error_message = "The disk_gib must be a whole number of GiB, at least 20 (OS + container images + logs)."
  }
}

variable "firmware" {
  type        = string
  default     = "efi"
  description = "Firmware of the template (clones inherit it): \"efi\" or \"bios\"."
  validation {
    condition     = contains(["efi", "bios"], var.firmware)
    error_message = "The firmware must be \"efi\" or \"bios\"."
  }
}

variable "vsphere_version" {
  type        = string
  default     = "7.0"
  description = "vSphere version of the oldest ESXi host that will run the template and its clones: \"6.7\" (6.7 U2 or later), \"7.0\" (7.0 U2 or later) or \"8.0\". Caps vm_hardware_version and decides the allowed guest_os_type (table in local.vsphere_limits); the same value as vsphere.version in the environment config."
  validation {
    condition     = contains(["6.7", "7.0", "8.0"], var.vsphere_version)
    error_message = "The vsphere_version must be \"6.7\", \"7.0\" or \"8.0\" (the oldest ESXi version in the cluster; 6.7 before U2 or 7.0 before U2: use the older one and see packer/README.md)."
  }
}

variable "vm_hardware_version" {
  type        = number
  default     = 0
  description = "Virtual hardware version; 0 = the newest vsphere_version runs (6.7: 15, 7.0: 19, 8.0: 20)."
  validation {
    condition     = var.vm_hardware_version == 0 || (var.vm_hardware_version >= 13 && var.vm_hardware_version <= 21 && floor(var.vm_hardware_version) == var.vm_hardware_version)
    error_message = "The vm_hardware_version must be 0 (the newest vsphere_version runs) or a whole number from 13 (EFI + PVSCSI + vmxnet3) to 21."
  }
}

variable "guest_os_type" {
  type        = string
  default     = ""
  description = "vSphere guest OS id; empty = the vsphere_version's default (6.7: rhel8_64Guest, which has no rhel9 id; 7.0 and 8.0: rhel9_64Guest)."
  validation {
    condition     = contains(["", "rhel9_64Guest", "rhel8_64Guest", "other5xLinux64Guest", "other4xLinux64Guest"], var.guest_os_type)
    error_message = "The guest_os_type must be empty (the vsphere_version's default) or one of rhel9_64Guest, rhel8_64Guest, other5xLinux64Guest, other4xLinux64Guest."
  }
}

# What each vSphere version runs; lib/config/vsphere-versions.ts holds the same table (a test keeps
# them equal). A validation block may only read its own variable, so the checks of
# vm_hardware_version and guest_os_type against vsphere_version live here: Packer 1.6.6 has no error
# function, so a failed check calls parseint() on the message, and Packer prints
# "cannot parse \"ERROR: ...\"" with the values involved.
locals {
  vsphere_limits = {
    "6.7" = { max_hardware_version = 15, guest_os_types = ["rhel8_64Guest", "other4xLinux64Guest"] }
    "7.0" = { max_hardware_version = 19, guest_os_types = ["rhel9_64Guest", "rhel8_64Guest", "other5xLinux64Guest", "other4xLinux64Guest"] }
    "8.0" = { max_hardware_version = 20, guest_os_types = ["rhel9_64Guest", "rhel8_64Guest", "other5xLinux64Guest", "other4xLinux64Guest"] }
  }
  limits = local.vsphere_limits[var.vsphere_version]

  # One local per check, never a local reading another failing one: Packer evaluates locals in an
  # unspecified order, and a reader evaluated first reports "no attribute" instead of the ERROR line.
  hardware_version = (var.vm_hardware_version == 0 ? local.limits.max_hardware_version :
    var.vm_hardware_version <= local.limits.max_hardware_version ? var.vm_hardware_version :
  parseint("ERROR: vm_hardware_version ${var.vm_hardware_version} is newer than vSphere ${var.vsphere_version} runs (at most ${local.limits.max_hardware_version}); lower it or set 0", 10))

  guest_os_type = (var.guest_os_type == "" ? local.limits.guest_os_types[0] :
    contains(local.limits.guest_os_types, var.guest_os_type) ? var.guest_os_type :
  parseint("ERROR: guest_os_type ${var.guest_os_type} does not exist on vSphere ${var.vsphere_version}; use one of ${join(", ", local.limits.guest_os_types)} or leave it empty", 10))
}

# ---------------------------------------------------------------- Kubernetes payload
variable "kubernetes_version" {
  type        = string
  default     = "1.35.9"
  description = "Exact Kubernetes version x.y.z of kubelet/kubeadm/kubectl and the pre-pulled images. Clusters must use the same version."
  validation {
    condition     = regex_replace(var.kubernetes_version, "^[0-9]+\\.[0-9]+\\.[0-9]+$", "") == ""
    error_message = "The kubernetes_version must be an exact version x.y.z without a leading v, e.g. \"1.35.9\"."
  }
}

variable "containerd_version" {
  type        = string
  default     = "1.7.28"
  description = "Exact version of the containerd.io package (Docker CE repository) installed and version-locked; recorded in manifest.json. Must equal CONTAINERD_VERSION in lib/cluster/versions.ts, for which packer/files/containerd is generated (config format 2 for 1.x, 3 for 2.x)."
  validation {
    condition     = regex_replace(var.containerd_version, "^[12]\\.[0-9]+\\.[0-9]+$", "") == ""
    error_message = "The containerd_version must be an exact containerd.io version x.y.z (1.x or 2.x), e.g. \"1.7.28\"."
  }
}

variable "kube_vip_version" {
  type        = string
  default     = "v1.0.4"
  description = "Tag of ghcr.io/kube-vip/kube-vip pre-pulled into the image; must match KUBE_VIP_IMAGE in lib/cluster/versions.ts (the tag the static pod uses)."
  validation {
    condition     = regex_replace(var.kube_vip_version, "^v[0-9]+\\.[0-9]+\\.[0-9]+$", "") == ""
    error_message = "The kube_vip_version must be a release tag like \"v1.0.4\"."
  }
}

variable "prepull_images" {
  type        = list(string)
  default     = []
  description = "Extra upstream image references (e.g. \"quay.io/calico/node:v3.31.2\") pulled through the registry mirror and kept in the image."
}

variable "registry_mirror_host" {
  type        = string
  description = "host[:port] of the internal registry that mirrors every upstream registry, e.g. \"gitlab.example.internal:5050\"."
  validation {
    condition     = regex_replace(var.registry_mirror_host, "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?$", "") == ""
    error_message = "The registry_mirror_host must be host[:port] without scheme or path, e.g. \"gitlab.example.internal:5050\"."
  }
}

variable "registry_mirror_path_prefix" {
  type        = string
  default     = ""
  description = "Path under which upstream registries are mirrored: registry.k8s.io/pause becomes <host>/<prefix>/registry.k8s.io/pause. Same meaning as registryMirror.pathPrefix in the environment config."
  validation {
    condition     = regex_replace(var.registry_mirror_path_prefix, "^([a-z0-9][-a-z0-9._]*(/[a-z0-9][-a-z0-9._]*)*)?$", "") == ""
    error_message = "The registry_mirror_path_prefix must be empty or a registry path without leading or trailing \"/\", e.g. \"platform/mirror\"."
  }
}

# ---------------------------------------------------------------- YUM mirrors (air-gap: all required)
# The image never talks to the internet: the default Rocky repositories are disabled and these
# internal mirrors are the only enabled repositories.
variable "yum_mirror_baseos" {
  type        = string
  description = "Mirror of Rocky Linux 9 BaseOS for x86_64, e.g. \"https://mirror.example.internal/rocky/9/BaseOS/x86_64/os/\"."
  validation {
    condition     = regex_replace(var.yum_mirror_baseos, "^https?://[^/\\s]+(/\\S*)?$", "") == ""
    error_message = "The yum_mirror_baseos must be an http(s) URL of the internal BaseOS mirror."
  }
}

variable "yum_mirror_appstream" {
  type        = string
  description = "Mirror of Rocky Linux 9 AppStream for x86_64."
  validation {
    condition     = regex_replace(var.yum_mirror_appstream, "^https?://[^/\\s]+(/\\S*)?$", "") == ""
    error_message = "The yum_mirror_appstream must be an http(s) URL of the internal AppStream mirror."
  }
}

variable "yum_mirror_kubernetes" {
  type        = string
  description = "Mirror of the pkgs.k8s.io RPM repository of the kubernetes_version minor (core:/stable:/v1.35/rpm/); its repodata/repomd.xml.key is the signing key."
  validation {
    condition     = regex_replace(var.yum_mirror_kubernetes, "^https?://[^/\\s]+(/\\S*)?$", "") == ""
    error_message = "The yum_mirror_kubernetes must be an http(s) URL of the internal pkgs.k8s.io mirror for the Kubernetes minor version."
  }
}

variable "yum_mirror_containerd" {
  type        = string
  description = "Mirror of the Docker CE stable repository for RHEL 9 x86_64 (provides containerd.io, which includes runc)."
  validation {
    condition     = regex_replace(var.yum_mirror_containerd, "^https?://[^/\\s]+(/\\S*)?$", "") == ""
    error_message = "The yum_mirror_containerd must be an http(s) URL of the internal Docker CE (containerd.io) mirror."
  }
}

variable "yum_mirror_containerd_gpg_key" {
  type        = string
  description = "URL of the Docker CE repository signing key on the internal mirror."
  validation {
    condition     = regex_replace(var.yum_mirror_containerd_gpg_key, "^https?://[^/\\s]+(/\\S*)?$", "") == ""
    error_message = "The yum_mirror_containerd_gpg_key must be an http(s) URL of the Docker CE GPG key on the internal mirror."
  }
}

variable "ca_bundle_file" {
  type        = string
  default     = ""
  description = "Path (on the machine running Packer) of the corporate CA bundle in PEM; trusted by the image before any mirror is contacted. Empty: system trust store only."
}

# ---------------------------------------------------------------- build machinery
variable "build_id" {
  type        = string
  default     = ""
  description = "Build id in the template name; empty means the UTC build time as YYYYMMDDThhmm."
  validation {
    condition     = regex_replace(var.build_id, "^([0-9]{8}T[0-9]{4})?$", "") == ""
    error_message = "The build_id must be empty or a UTC timestamp YYYYMMDDThhmm, e.g. \"20261101T0900\"."
  }
}

variable "build_username" {
  type        = string
  default     = "packer"
  description = "Temporary user Packer connects as over SSH; created by the kickstart, deleted when the build shuts the VM down."
  validation {
    condition     = regex_replace(var.build_username, "^[a-z_][a-z0-9_-]{0,30}$", "") == "" && var.build_username != "root"
    error_message = "The build_username must be a lower-case Linux user name other than root."
  }
}

variable "build_password" {
  type        = string
  sensitive   = true
  description = "Throw-away password of build_username, typed on the installer's kernel command line. No default: set PKR_VAR_build_password."
  validation {
    condition     = length(var.build_password) >= 16 && regex_replace(var.build_password, "^[A-Za-z0-9._-]+$", "") == ""
    error_message = "The build_password must be at least 16 characters of A-Z a-z 0-9 . _ - (it is typed through the VM console)."
  }
}

variable "build_network_args" {
  type        = string
  default     = "ip=dhcp"
  description = "Installer network arguments, e.g. \"ip=10.0.0.50::10.0.0.1:255.255.255.0:build:ens192:none nameserver=10.0.0.2\" where the build network has no DHCP."
}

variable "boot_wait" {
  type        = string
  default     = "10s"
  description = "Time between power-on and typing the boot command."
}

variable "ssh_timeout" {
  type        = string
  default     = "60m"
  description = "How long Packer waits for the build VM's IP address (ip_wait_timeout) and then for its SSH: each covers the whole unattended install."
}
