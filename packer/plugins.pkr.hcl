# Plugin requirement for modern Packer (>= 1.7): run `packer init .` once before `packer build`.
#
# Kept in its own file on purpose: Debian's Packer 1.6.6 (used offline by packer/check.sh in CI)
# has vsphere-iso built in and rejects the `packer { required_plugins }` block, so check.sh
# validates every other file without this one. Nothing else in packer/ may use features newer
# than Packer 1.6.6 (no `data` blocks, no `cd_content`, no templatefile()).
#
# The plugin moved to github.com/vmware/packer-plugin-vsphere (v2.x); the 1.4 line below is the
# last one published under the hashicorp source and supports every option rocky9.pkr.hcl uses.
packer {
  required_version = ">= 1.7.0"
  required_plugins {
    vsphere = {
      source  = "github.com/hashicorp/vsphere"
      version = "~> 1.4"
    }
  }
}
