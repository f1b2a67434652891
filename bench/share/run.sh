#!/usr/bin/env bash
# Shared-directory throughput inside the guest on a 9p mount (trans=virtio, 9p2000.L,
# msize 256 KiB, no guest cache): sequential write (with fsync) and read of a 64 MiB file in
# 1 MiB blocks, and a metadata rate (create + stat + unlink of 1000 files), on vessel
# (--share) and on QEMU (-fsdev local,security_model=none + virtio-9p-device) with the same
# kernel, initramfs and host directory. The guest program is cross-built with Debian's
# riscv64-linux-gnu-gcc.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
vessel=${1:?usage: run.sh VESSEL_BIN [GUEST_DIR]}
here=$(cd "$(dirname "$0")" && pwd)
guest=${2:-$("$here/../../scripts/guest-dir.sh")}
runs=${RUNS:-3}
mib=${MIB:-64}
files=${FILES:-1000}
command -v riscv64-linux-gnu-gcc >/dev/null || { echo "run.sh: needs riscv64-linux-gnu-gcc (Debian gcc-riscv64-linux-gnu)" >&2; exit 2; }
command -v qemu-system-riscv64 >/dev/null || { echo "run.sh: needs qemu-system-riscv64 (Debian qemu-system-misc)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

guest_root "$guest" "$work/root"
riscv64-linux-gnu-gcc -O2 -static "$here/sharebench.c" -o "$work/root/etc/sharebench"
cat > "$work/root/etc/run/share.sh" <<SCRIPT
#!/bin/sh
mkdir -p /mnt
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 bench /mnt || exit 1
/etc/sharebench /mnt $mib $files
umount /mnt
SCRIPT
chmod 755 "$work/root/etc/run/share.sh"
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1 > "$work/initramfs.cpio.gz")
mkdir "$work/share"

append="console=ttyS0 quiet run=share"
field() { grep -a "$1" | head -1 | tr -d '\r' | awk '{print $2}'; }
vw=() vr=() vm=() qw=() qr=() qm=()
for _ in $(seq "$runs"); do
  out=$("$vessel" run --kernel "$guest/Image" --initrd "$work/initramfs.cpio.gz" --append "$append" \
          --share "tag=bench,path=$work/share" </dev/null 2>&1)
  vw+=("$(echo "$out" | field share-write-seconds)") vr+=("$(echo "$out" | field share-read-seconds)")
  vm+=("$(echo "$out" | field share-meta-seconds)")
  out=$(qemu-system-riscv64 -machine virt -nographic -m 256M -kernel "$guest/Image" \
          -initrd "$work/initramfs.cpio.gz" -append "$append" \
          -fsdev "local,id=f,path=$work/share,security_model=none" \
          -device virtio-9p-device,fsdev=f,mount_tag=bench </dev/null 2>&1)
  qw+=("$(echo "$out" | field share-write-seconds)") qr+=("$(echo "$out" | field share-read-seconds)")
  qm+=("$(echo "$out" | field share-meta-seconds)")
done
for v in "${vw[@]}" "${vr[@]}" "${vm[@]}" "${qw[@]}" "${qr[@]}" "${qm[@]}"; do
  [ -n "$v" ] || { echo "run.sh: a run printed no timing; its output:" >&2; echo "$out" >&2; exit 1; }
done
vwm=$(printf '%s\n' "${vw[@]}" | median) vrm=$(printf '%s\n' "${vr[@]}" | median) vmm=$(printf '%s\n' "${vm[@]}" | median)
qwm=$(printf '%s\n' "${qw[@]}" | median) qrm=$(printf '%s\n' "${qr[@]}" | median) qmm=$(printf '%s\n' "${qm[@]}" | median)
mbps() { echo "$mib / $1" | bc -l; }
rate() { echo "$files / $1" | bc -l; }
printf 'guest 9p share (9p2000.L, msize 256 KiB, cache=none), %d MiB in 1 MiB blocks, %d files (median of %d)\n' "$mib" "$files" "$runs"
printf '  write:    vessel %7.1f MB/s,    qemu %7.1f MB/s,    vessel/qemu %.2f\n' "$(mbps "$vwm")" "$(mbps "$qwm")" "$(echo "$qwm / $vwm" | bc -l)"
printf '  read:     vessel %7.1f MB/s,    qemu %7.1f MB/s,    vessel/qemu %.2f\n' "$(mbps "$vrm")" "$(mbps "$qrm")" "$(echo "$qrm / $vrm" | bc -l)"
printf '  metadata: vessel %7.0f files/s, qemu %7.0f files/s, vessel/qemu %.2f\n' "$(rate "$vmm")" "$(rate "$qmm")" "$(echo "$qmm / $vmm" | bc -l)"
