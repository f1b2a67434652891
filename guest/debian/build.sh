#!/bin/sh
# Builds a stock Debian 13 (trixie) riscv64 system with Debian's own tools (see guest/debian/README.md):
#   disk.img            raw disk image (4 GiB sparse, GPT) whose one partition is the ext4 root (label
#                       debian-root): systemd, udev, openssh-server, python3, gcc, cloud-init,
#                       qemu-guest-agent, Debian's linux-image-riscv64 with its initramfs-tools initramfs,
#                       and /boot/extlinux/extlinux.conf (u-boot-menu) for firmware boot through U-Boot
#   vmlinux, initrd.img the kernel and initramfs copied out of the image's /boot (vmlinux is a flat Image)
#   id_ed25519[.pub]    the ssh key root accepts (made for this image, test use only)
#   cmdline             the kernel command line to boot it with
#   BUILD-INFO, SHA256SUMS
# into $VESSEL_DEBIAN_CACHE, default ${XDG_CACHE_HOME:-$HOME/.cache}/vessel/debian.
#
# Usage: guest/debian/build.sh [--check | --force | --print-cache]
#   (none)         build unless the cache already matches this recipe
#   --check        exit 0 if the cache is up to date, 1 if not; builds nothing
#   --force        rebuild
#   --print-cache  print the cache directory
#
# Needs root (mmdebstrap's root mode), mmdebstrap, qemu-user-static with binfmt_misc (the script
# mounts /proc/sys/fs/binfmt_misc and enables qemu-riscv64 if needed), e2fsprogs and openssh-client.
# Reaches only Debian's archive. About 15-30 minutes on 2 cores (dpkg runs under qemu-user).
# Test image: root's password is "vessel" and the serial console logs root in automatically;
# do not expose it to a network.
set -eu

recipe=$(cd "$(dirname "$0")" && pwd)
cache=${VESSEL_DEBIAN_CACHE:-${XDG_CACHE_HOME:-${HOME:?}/.cache}/vessel/debian}
mirror=${VESSEL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=trixie
image_size=4G
packages="systemd-sysv,udev,dbus,kmod,iproute2,iputils-ping,procps,openssh-server,python3,gcc,libc6-dev,linux-image-riscv64,initramfs-tools,u-boot-menu,e2fsprogs,ca-certificates,less,cloud-init,qemu-guest-agent"

say() { echo "guest/debian/build.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

mode=build
case "${1:-}" in
  '') ;;
  --check) mode=check ;;
  --force) mode=force ;;
  --print-cache) echo "$cache"; exit 0 ;;
  -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown option $1 (try --help)" ;;
esac

stamp="recipe-sha256=$(cd "$recipe" && find build.sh overlay -type f -print | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)"
up_to_date() {
  [ -f "$cache/STAMP" ] && [ "$(cat "$cache/STAMP")" = "$stamp" ] &&
    (cd "$cache" && sha256sum --quiet --check SHA256SUMS) >/dev/null 2>&1
}

case $mode in
  check) up_to_date && exit 0 || exit 1 ;;
  build) if up_to_date; then say "up to date in $cache"; exit 0; fi ;;
esac

[ "$(id -u)" -eq 0 ] || die "needs root (mmdebstrap's root mode, loop-free mke2fs -d of a root-owned tree)"
for tool in mmdebstrap mke2fs sfdisk ssh-keygen openssl; do
  command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-deps.sh installs it)"
done
[ -x /usr/bin/qemu-riscv64-static ] || die "qemu-user-static is missing (scripts/install-deps.sh installs it)"
# dpkg's maintainer scripts are riscv64 programs: run them through qemu-user via binfmt_misc.
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || die "cannot mount binfmt_misc"
fi
if [ ! -e /proc/sys/fs/binfmt_misc/qemu-riscv64 ]; then
  update-binfmts --enable qemu-riscv64 >/dev/null 2>&1 || update-binfmts --import qemu-riscv64 ||
    die "cannot register qemu-riscv64 in binfmt_misc"
fi

mkdir -p "$cache"
lock=$cache/.lock
exec 9>"$lock"
flock 9
work=$cache/work
rm -rf "$work"
mkdir -p "$work"
root=$work/root
trap 'rm -rf "$work"' EXIT

ssh_key=$cache/id_ed25519
[ -f "$ssh_key" ] || ssh-keygen -q -t ed25519 -N '' -C vessel-debian-test -f "$ssh_key"

say "mmdebstrap $suite riscv64 from $mirror (dpkg under qemu-user: 15-30 minutes)"
mmdebstrap --mode=root --arch=riscv64 --variant=minbase --include="$packages" \
  --aptopt='Acquire::Retries "3"' \
  --customize-hook='rm -f "$1"/etc/machine-id "$1"/var/lib/dbus/machine-id; touch "$1"/etc/machine-id' \
  --customize-hook='printf "%s\n" "U_BOOT_PARAMETERS=\"root=LABEL=debian-root rw console=ttyS0\"" "U_BOOT_TIMEOUT=\"1\"" > "$1"/etc/default/u-boot' \
  --customize-hook='chroot "$1" u-boot-update' \
  --customize-hook='chroot "$1" apt-get clean' \
  "$suite" "$root" "$mirror" >&2

say "configuring the image"
cp -a "$recipe/overlay/." "$root/"
echo debian-vessel > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tdebian-vessel\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
printf 'LABEL=debian-root\t/\text4\terrors=remount-ro\t0\t1\n' > "$root/etc/fstab"
mkdir -p -m 700 "$root/root/.ssh"
cp "$ssh_key.pub" "$root/root/.ssh/authorized_keys"
chmod 600 "$root/root/.ssh/authorized_keys"
hash=$(openssl passwd -6 vessel)
sed -i "s|^root:[^:]*:|root:$hash:|" "$root/etc/shadow"
systemctl --root="$root" enable systemd-networkd.service >/dev/null 2>&1 || die "cannot enable systemd-networkd"

kernel=$(ls "$root"/boot/vmlinu[xz]-* 2>/dev/null | sort -V | tail -n 1)
[ -n "$kernel" ] || die "no kernel in the image's /boot"
version=${kernel##*/vmlinu?-}
[ -f "$root/boot/initrd.img-$version" ] || die "no initrd.img-$version in the image's /boot"
cp "$kernel" "$work/vmlinux"
cp "$root/boot/initrd.img-$version" "$work/initrd.img"

[ -f "$root/boot/extlinux/extlinux.conf" ] || die "u-boot-menu wrote no /boot/extlinux/extlinux.conf"

# A disk as images are shipped: GPT, one partition (1 MiB aligned at both ends) holding the root
# file system, marked bootable (legacy BIOS attribute) so U-Boot's distro boot scans it for
# extlinux.conf. The file system is made first and the partition sized to it exactly.
say "making disk.img ($image_size, GPT, ext4 root partition)"
root_mib=$(( $(numfmt --from=iec "$image_size") / 1048576 - 2 ))
mke2fs -q -t ext4 -L debian-root -d "$root" "$work/root.ext4" "${root_mib}M"
truncate -s "$image_size" "$work/disk.img"
echo "label: gpt
start=2048, size=$((root_mib * 2048)), type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=debian-root, attrs=\"LegacyBIOSBootable\"" |
  sfdisk -q "$work/disk.img"
dd if="$work/root.ext4" of="$work/disk.img" bs=1M seek=1 conv=notrunc,sparse status=none
rm -f "$work/root.ext4"

mv "$work/vmlinux" "$work/initrd.img" "$work/disk.img" "$cache/"
echo "root=LABEL=debian-root rw console=ttyS0" > "$cache/cmdline"
{
  echo "suite=$suite mirror=$mirror"
  echo "kernel=$version"
  echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "packages=$packages"
} > "$cache/BUILD-INFO"
(cd "$cache" && sha256sum vmlinux initrd.img cmdline > SHA256SUMS)
echo "$stamp" > "$cache/STAMP"
say "done: $cache"
