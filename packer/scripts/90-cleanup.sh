#!/usr/bin/env bash
# Last provisioning step: make every clone unique and the template small. Runs as root; the
# shutdown_command then deletes the temporary build user and powers the VM off.
set -euo pipefail

: "${BUILD_USERNAME:?set by rocky9.pkr.hcl}"

# --- Package caches.
dnf clean all
rm -rf /var/cache/dnf/*

# --- cloud-init: forget this boot so clones run every module on first boot.
cloud-init clean --logs --seed

# --- Identity: systemd creates a fresh machine-id on first boot when the file is empty (an
# empty file, not a missing one, keeps first-boot semantics); sshd-keygen creates host keys.
truncate -s 0 /etc/machine-id
rm -f /var/lib/dbus/machine-id
rm -f /etc/ssh/ssh_host_*
rm -f /var/lib/systemd/random-seed
printf 'localhost.localdomain\n' > /etc/hostname

# --- Network: drop the build's connection profiles and leases; cloud-init writes the clone's.
rm -f /etc/NetworkManager/system-connections/*
rm -f /var/lib/NetworkManager/*.lease /var/lib/NetworkManager/*.lease.*
find /etc/sysconfig/network-scripts -name 'ifcfg-*' ! -name 'ifcfg-lo' -delete 2>/dev/null || true

# --- SSH: keys only, no root login (break-glass keys come from cloud-init).
cat > /etc/ssh/sshd_config.d/01-node-image.conf <<'CONF'
# Managed by the node image build: first match wins, so this file sorts before 50-*.conf.
PasswordAuthentication no
PermitRootLogin no
CONF

# --- The build password was on the installer's kernel command line: make sure it is nowhere.
grubby --update-kernel=ALL --remove-args="packer_build_user packer_build_password" >/dev/null 2>&1 || true
if grep -rqs 'packer_build_password' /etc/default/grub /boot/loader/entries /boot/grub2 /boot/efi/EFI; then
  echo "cleanup: packer_build_password found in the boot configuration" >&2
  exit 1
fi
rm -rf /var/log/anaconda /root/anaconda-ks.cfg /root/original-ks.cfg

# --- Logs and history.
find /var/log -type f \( -name '*.gz' -o -name '*-[0-9]*' -o -name '*.old' \) -delete
find /var/log -type f -exec truncate -s 0 {} +
rm -rf /var/log/journal/*
rm -f /root/.bash_history "/home/${BUILD_USERNAME}/.bash_history"
rm -rf /tmp/* /var/tmp/*

# --- Give freed blocks back to the thin-provisioned datastore.
fstrim -av || true
sync
echo "cleanup: done"
