#!/usr/bin/env bash
# Builds the test guest: a minimal Debian bookworm (debootstrap) with cloud-init 22.4, containerd,
# systemd, and the stand-ins in guest/ (vmware-rpctool, kubeadm, kubelet, the result collector).
# Output (outside the repo, never committed): $VM_CACHE/<key>/{rootfs.ext4,vmlinuz,initrd.img},
# keyed by a hash of this script, guest/ and the package list, so a rerun reuses the image.
# Usage: build-image.sh            prints the image directory on stdout (building it if needed)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
VM_CACHE=${VM_CACHE:-/var/cache/vsphere-guest-test}
# The same Debian mirror apt uses on this machine (CI: the runner's configured mirror).
MIRROR=${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
# What cloud-init and the bootstrap script call: ifupdown is the ENI renderer Debian's cloud-init uses
# and net-tools its `route` (cloud-init 22.4 writes routes as `post-up route add ...`), chrony for the
# ntp module (it would try to install it otherwise), locales and openssh-server for the locale and ssh
# modules (the Rocky template has both), kmod/procps for modprobe/sysctl.
PACKAGES=(systemd-sysv udev dbus kmod procps iproute2 ifupdown net-tools netbase ca-certificates openssl curl
  python3 cloud-init containerd chrony locales openssh-server linux-image-amd64 initramfs-tools e2fsprogs
  util-linux bsdutils nftables)   # nftables: the host firewall unit (lib/cluster/host-firewall.ts)

# Two cached layers: the debootstrapped base (slow, keyed by suite, mirror and packages) and the
# test image (base + guest/, keyed by this script and guest/ too).
base_key=$(echo "$SUITE $MIRROR ${PACKAGES[*]}" | sha256sum | cut -c1-16)
key=$( { cat "$0"; find "$here/guest" -type f -print0 | sort -z | xargs -0 cat; echo "$base_key"; } | sha256sum | cut -c1-16)
out="$VM_CACHE/image-$key"
base="$VM_CACHE/base-$base_key.tar"
if [ -s "$out/rootfs.ext4" ] && [ -s "$out/vmlinuz" ] && [ -s "$out/initrd.img" ]; then
  echo "$out"; exit 0
fi

for t in debootstrap mkfs.ext4; do
  command -v "$t" >/dev/null || { echo "build-image: $t is not installed (apt-get install debootstrap e2fsprogs)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "build-image: debootstrap needs root" >&2; exit 1; }

mkdir -p "$VM_CACHE"
work=$(mktemp -d "$VM_CACHE/build.XXXXXX")
cleanup() { if mountpoint -q "$work/root/proc"; then umount "$work/root/proc"; fi; rm -rf "$work"; }
trap cleanup EXIT
root="$work/root"
start=$SECONDS
if [ ! -s "$base" ]; then
  echo "build-image: debootstrap $SUITE from $MIRROR, then apt-get install (a few minutes, once per package list)" >&2
  # debootstrap only lays down minbase: its resolver ignores virtual packages (cloud-init's
  # python3-cryptography needs python3-cffi-backend-api-*), so apt installs the rest in the chroot.
  debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1 || {
    tail -40 "$work/debootstrap.log" >&2; tail -40 "$root/debootstrap/debootstrap.log" >&2 2>/dev/null; exit 1; }
  # No service starts inside the chroot; a small initramfs (only what a virtio ext4 root needs).
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"; chmod 0755 "$root/usr/sbin/policy-rc.d"
  mkdir -p "$root/etc/initramfs-tools/conf.d"
  printf 'MODULES=list\nCOMPRESS=gzip\n' >"$root/etc/initramfs-tools/conf.d/vmtest.conf"
  printf 'virtio_pci\nvirtio_blk\next4\n' >>"$root/etc/initramfs-tools/modules"
  mount -t proc proc "$root/proc"
  chroot "$root" apt-get update -q >"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log" >&2; exit 1; }
  chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" >>"$work/apt.log" 2>&1 || {
    tail -60 "$work/apt.log" >&2; exit 1; }
  umount "$root/proc"
  rm -f "$root/usr/sbin/policy-rc.d"
  chroot "$root" /bin/sh -c 'apt-get clean; rm -rf /var/lib/apt/lists/*'
  tar -C "$root" -cf "$work/base.tar" . && mv "$work/base.tar" "$base"
  echo "build-image: base $base in $((SECONDS - start)) s" >&2
else
  mkdir -p "$root" && tar -C "$root" -xf "$base"
fi

# Guest customisation: the stand-ins and units from guest/rootfs (README: "A real boot").
cp -a "$here/guest/rootfs/." "$root/"
chmod 0755 "$root"/usr/bin/vmware-rpctool "$root"/usr/bin/kubeadm "$root"/usr/bin/kubectl "$root"/usr/bin/kubelet "$root"/usr/local/libexec/vmtest-*
chroot "$root" /bin/sh -ec '
  echo "root:" | chpasswd -e 2>/dev/null || true
  systemctl enable vmtest-snapshot.service vmtest-collect.service
  systemctl disable containerd.service >/dev/null 2>&1 || true   # the bootstrap enables it, as on Rocky
  systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer >/dev/null 2>&1 || true
  # cloud-init datasources exactly as the template sets them (packer/scripts/60-guest-agents.sh).
  printf "datasource_list: [ VMware, NoCloud, None ]\ndisable_vmware_customization: true\n" >/etc/cloud/cloud.cfg.d/10-vmware-datasource.cfg
  # cloud-init sets LANG=en_US.UTF-8; Debian generates only the locales enabled in /etc/locale.gen
  # (Debian cloud images enable this one; Rocky ships it in glibc-langpack-en).
  sed -i "s/^# *\(en_US.UTF-8 UTF-8\)/\1/" /etc/locale.gen && locale-gen >/dev/null
  echo "/dev/vda / ext4 rw,relatime 0 1" > /etc/fstab
  rm -f /etc/hostname /etc/machine-id /var/lib/dbus/machine-id; touch /etc/machine-id
'
cp "$(ls "$root"/boot/vmlinuz-* | sort -V | tail -1)" "$work/vmlinuz"
cp "$(ls "$root"/boot/initrd.img-* | sort -V | tail -1)" "$work/initrd.img"
# 2 GiB raw ext4 filled from the tree without a loop mount (mkfs.ext4 -d).
mkfs.ext4 -q -F -L vmtest-root -d "$root" "$work/rootfs.ext4" 2G
mkdir -p "$out"
mv "$work/vmlinuz" "$work/initrd.img" "$work/rootfs.ext4" "$out/"
cleanup
# Older test images (2 GiB each) are cheap to rebuild from their base: keep only this one.
find "$VM_CACHE" -maxdepth 1 -name 'image-*' ! -path "$out" -exec rm -rf {} +
echo "build-image: $out in $((SECONDS - start)) s" >&2
echo "$out"
