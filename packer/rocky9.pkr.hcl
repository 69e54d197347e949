# Rocky Linux 9 Kubernetes node image for vSphere (vsphere-iso), built without internet access:
# the OS comes from the installation ISO, everything else from the internal mirrors.
#
# Outputs a VM template (or a content-library OVF item) named
#   rocky9-k8s-<kubernetes_version>-<build_id>
# and appends the build to packer/manifest.json; the library's NodeTemplate reads the custom_data
# of the build whose packer_run_uuid equals last_run_uuid.

locals {
  build_id      = var.build_id != "" ? var.build_id : formatdate("YYYYMMDD'T'hhmm", timestamp())
  template_name = "rocky9-k8s-${var.kubernetes_version}-${local.build_id}"
  os            = "rocky-9"
  scsi_type     = "pvscsi"

  # The empty placeholder keeps the file provisioner valid when no CA bundle is given;
  # 00-ca-trust.sh skips an empty file.
  ca_bundle_source = var.ca_bundle_file != "" ? var.ca_bundle_file : "${path.root}/files/no-ca-bundle.pem"

  # Appended to the installer's kernel command line. The kickstart is on the second CD-ROM
  # (cd_files, label OEMDRV): nothing is fetched over the network. The build password travels on
  # the command line because Packer 1.6.6 cannot template the kickstart; the kickstart turns it
  # into the temporary build user and the build deletes that user at the end.
  installer_args = "inst.text inst.ks=hd:LABEL=OEMDRV:/ks.cfg ${var.build_network_args} packer_build_user=${var.build_username} packer_build_password=${var.build_password}"

  boot_command = {
    # GRUB2 (EFI): select "Install Rocky Linux 9" (above the default media-check entry), edit it,
    # go to the linuxefi line, append the arguments and boot with Ctrl-X.
    efi = ["<up><wait>e<wait><down><down><end><wait> ${local.installer_args}<leftCtrlOn>x<leftCtrlOff>"]
    # isolinux (BIOS): select "Install Rocky Linux 9", Tab edits the kernel line, Enter boots.
    bios = ["<up><wait><tab><wait> ${local.installer_args}<enter>"]
  }

  mirror_prefix = var.registry_mirror_path_prefix != "" ? "${var.registry_mirror_host}/${var.registry_mirror_path_prefix}" : var.registry_mirror_host
}

source "vsphere-iso" "rocky9" {
  vcenter_server      = var.vcenter_server
  username            = var.vcenter_username
  password            = var.vcenter_password
  insecure_connection = var.vcenter_insecure

  datacenter    = var.datacenter
  cluster       = var.cluster
  resource_pool = var.resource_pool
  datastore     = var.datastore
  folder        = var.folder
  vm_name       = local.template_name
  notes         = "Rocky Linux 9 Kubernetes ${var.kubernetes_version} node image, build ${local.build_id}. Built by packer/ in the infrastructure repository."

  guest_os_type = local.guest_os_type
  vm_version    = local.hardware_version
  firmware      = var.firmware
  CPUs          = var.cpus
  RAM           = var.memory_mib

  disk_controller_type = [local.scsi_type]
  storage {
    disk_size             = var.disk_gib * 1024
    disk_thin_provisioned = true
  }
  network_adapters {
    network      = var.network
    network_card = "vmxnet3"
  }
  configuration_parameters = {
    # Stable disk serials under /dev/disk/by-id (Rook-Ceph and kubelet rely on them).
    "disk.EnableUUID" = "TRUE"
  }

  iso_paths    = [var.iso_path]
  cdrom_type   = "sata"
  cd_files     = ["${path.root}/kickstart/ks.cfg"]
  cd_label     = "OEMDRV"
  remove_cdrom = true

  boot_wait    = var.boot_wait
  boot_command = local.boot_command[var.firmware]

  # The IP is reported by VMware Tools, which may only run once the installed system boots: wait as
  # long as for SSH (Packer's default of 30m is shorter than a full install from the DVD).
  ip_wait_timeout = var.ssh_timeout

  communicator = "ssh"
  ssh_username = var.build_username
  ssh_password = var.build_password
  ssh_timeout  = var.ssh_timeout

  # The last command of the build: delete the temporary build user (its sudo rule included) and
  # power off. Clones therefore have no password login at all; access comes from cloud-init.
  shutdown_command = "sudo sh -c 'rm -f /etc/sudoers.d/${var.build_username}; userdel --force --remove ${var.build_username}; shutdown -P now'"
  shutdown_timeout = "15m"

  # A VM template in `folder`, unless a content library is given: then an OVF item in the library
  # (a VM can not be both a template and imported) and the VM is deleted.
  convert_to_template = var.content_library == ""
  dynamic "content_library_destination" {
    for_each = var.content_library == "" ? [] : [var.content_library]
    content {
      library = content_library_destination.value
      name    = local.template_name
      ovf     = true
      destroy = true
    }
  }
}

build {
  sources = ["source.vsphere-iso.rocky9"]

  provisioner "file" {
    source      = local.ca_bundle_source
    destination = "/tmp/corporate-ca-bundle.pem"
  }

  # containerd's config.toml and hosts.toml files, generated from lib/cluster (the cloud-config writes
  # the same); 30-containerd.sh installs them from /tmp/containerd.
  provisioner "file" {
    source      = "${path.root}/files/containerd"
    destination = "/tmp"
  }

  provisioner "shell" {
    execute_command = "sudo env {{ .Vars }} bash '{{ .Path }}'"
    environment_vars = [
      "KUBERNETES_VERSION=${var.kubernetes_version}",
      "KUBE_VIP_VERSION=${var.kube_vip_version}",
      "PREPULL_IMAGES=${join(" ", var.prepull_images)}",
      "REGISTRY_MIRROR=${local.mirror_prefix}",
      "REGISTRY_MIRROR_HOST=${var.registry_mirror_host}",
      "REGISTRY_MIRROR_PATH_PREFIX=${var.registry_mirror_path_prefix}",
      "CONTAINERD_VERSION=${var.containerd_version}",
      "YUM_MIRROR_BASEOS=${var.yum_mirror_baseos}",
      "YUM_MIRROR_APPSTREAM=${var.yum_mirror_appstream}",
      "YUM_MIRROR_KUBERNETES=${var.yum_mirror_kubernetes}",
      "YUM_MIRROR_CONTAINERD=${var.yum_mirror_containerd}",
      "YUM_MIRROR_CONTAINERD_GPG_KEY=${var.yum_mirror_containerd_gpg_key}",
      "TEMPLATE_NAME=${local.template_name}",
    ]
    scripts = [
      "${path.root}/scripts/00-ca-trust.sh",
      "${path.root}/scripts/10-yum-repos.sh",
      "${path.root}/scripts/20-os-base.sh",
      "${path.root}/scripts/30-containerd.sh",
      "${path.root}/scripts/40-kubernetes.sh",
      "${path.root}/scripts/50-pull-images.sh",
      "${path.root}/scripts/60-guest-agents.sh",
    ]
  }

  # Last: make every clone unique (machine-id, SSH host keys, cloud-init state, logs).
  provisioner "shell" {
    execute_command  = "sudo env {{ .Vars }} bash '{{ .Path }}'"
    environment_vars = ["BUILD_USERNAME=${var.build_username}"]
    script           = "${path.root}/scripts/90-cleanup.sh"
  }

  # Contract with lib/vsphere (NodeTemplate): keep these keys; values are strings (custom_data is
  # map(string)). A build appends itself to manifest.json and becomes last_run_uuid; committing
  # the updated file in a merge request is how a new template is rolled out.
  post-processor "manifest" {
    output     = "${path.root}/manifest.json"
    strip_path = true
    custom_data = {
      template_name      = local.template_name
      content_library    = var.content_library
      os                 = local.os
      kubernetes_version = var.kubernetes_version
      containerd_version = var.containerd_version
      disk_gib           = format("%d", var.disk_gib)
      firmware           = var.firmware
      scsi_type          = local.scsi_type
      build_id           = local.build_id
      hardware_version   = format("%d", local.hardware_version)
      guest_os_type      = local.guest_os_type
    }
  }
}
