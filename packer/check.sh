#!/usr/bin/env bash
# Offline checks of the node image build (CI runs `bash packer/check.sh` from the repo root):
#   1. packer fmt -check   on every HCL file
#   2. packer validate     with example.pkrvars.hcl (no vCenter needed)
#   3. shellcheck          on every provisioning script, files/containerd/install.sh and this file
# Works with Debian's Packer 1.6.6, which rejects the `required_plugins` block: the directory is
# copied to a temporary one without plugins.pkr.hcl first.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

for tool in packer shellcheck; do
  if ! command -v "$tool" >/dev/null; then
    echo "packer/check.sh: $tool not found (apt-get install -y packer shellcheck)" >&2
    exit 1
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Everything except the plugin requirement, local state and the manifest (validate never writes it).
tar -C "$here" --exclude=./plugins.pkr.hcl --exclude=./packer_cache --exclude=./.packer.d -cf - . | tar -C "$work" -xf -

status=0
step() { echo "== packer/check.sh: $*"; }

step "packer fmt -check"
# 1.6.6 only formats the files it is given: check every .hcl file, the plugin file included
# (fmt only parses syntax, it does not evaluate the packer block).
for file in *.pkr.hcl *.pkrvars.hcl; do
  if ! packer fmt -check "$file" >/dev/null; then
    echo "not formatted: packer/$file (run: packer fmt packer/$file)" >&2
    status=1
  fi
done

step "packer validate -var-file=example.pkrvars.hcl (without plugins.pkr.hcl)"
if ! (cd "$work" && packer validate -var-file=example.pkrvars.hcl .); then
  status=1
fi

step "shellcheck"
if ! shellcheck --severity=style --external-sources scripts/*.sh files/containerd/install.sh check.sh; then
  status=1
fi

if [[ "$status" -ne 0 ]]; then
  echo "packer/check.sh: FAILED" >&2
else
  echo "packer/check.sh: OK"
fi
exit "$status"
