#!/usr/bin/env bash
# Guest sequential disk write and read (64 MiB, dd with direct I/O, timed in the guest) on
# vessel and on QEMU (`-machine virt`, virtio-blk) with the same kernel, initramfs and image:
# raw by default, FORMAT=qcow2 for a fresh qcow2 image (made by qemu-img, as a user would).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
vessel=${1:?usage: run.sh VESSEL_BIN [GUEST_DIR]}
here=$(cd "$(dirname "$0")" && pwd)
guest=${2:-$("$here/../../scripts/guest-dir.sh")}
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A test initramfs: the guest's own root plus this benchmark's run script.
mkdir "$work/root"
(cd "$work/root" && gzip -dc "$guest/initramfs.cpio.gz" | cpio -id --quiet)
install -m 755 "$here/disk.sh" "$work/root/etc/run/disk.sh"
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1 > "$work/initramfs.cpio.gz")
format=${FORMAT:-raw}
case "$format" in
  raw) truncate -s 128M "$work/disk.img" ;;
  qcow2) qemu-img create -q -f qcow2 "$work/disk.img" 128M ;;
  *) echo "run.sh: FORMAT must be raw or qcow2" >&2; exit 2 ;;
esac

append="console=ttyS0 quiet run=disk"
field() { grep -a "$1" | head -1 | tr -d '\r' | awk '{print $2}'; }
vw=() vr=() qw=() qr=()
for _ in $(seq "$runs"); do
  out=$("$vessel" run --kernel "$guest/Image" --initrd "$work/initramfs.cpio.gz" --append "$append" \
          --drive "file=$work/disk.img,format=$format" </dev/null 2>&1)
  vw+=("$(echo "$out" | field disk-write-seconds)") vr+=("$(echo "$out" | field disk-read-seconds)")
  out=$(qemu-system-riscv64 -machine virt -nographic -m 256M -kernel "$guest/Image" \
          -initrd "$work/initramfs.cpio.gz" -append "$append" \
          -drive "file=$work/disk.img,format=$format,if=none,id=d0" -device virtio-blk-device,drive=d0 </dev/null 2>&1)
  qw+=("$(echo "$out" | field disk-write-seconds)") qr+=("$(echo "$out" | field disk-read-seconds)")
done
mbps() { echo "64 / $1" | bc -l; }
vwm=$(printf '%s\n' "${vw[@]}" | median) vrm=$(printf '%s\n' "${vr[@]}" | median)
qwm=$(printf '%s\n' "${qw[@]}" | median) qrm=$(printf '%s\n' "${qr[@]}" | median)
printf 'guest sequential disk I/O, %s image, 64 MiB, O_DIRECT, 1 MiB blocks (median of %d)\n' "$format" "$runs"
printf '  write: vessel %.1f MB/s, qemu %.1f MB/s, ratio %.2f\n' "$(mbps "$vwm")" "$(mbps "$qwm")" "$(echo "$qwm / $vwm" | bc -l)"
printf '  read:  vessel %.1f MB/s, qemu %.1f MB/s, ratio %.2f\n' "$(mbps "$vrm")" "$(mbps "$qrm")" "$(echo "$qrm / $vrm" | bc -l)"
