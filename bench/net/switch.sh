#!/usr/bin/env bash
# VM-to-VM TCP throughput over a VDE switch (Debian's vde_switch): a receiver VM reads MB MiB
# with busybox nc, a sender VM on the same switch writes them; the sender times the transfer
# (until the receiver has read the last byte and closed). Two Vessel VMs (--net vde) against
# two QEMU VMs (-netdev vde) with the same kernel and initramfs, on one switch per run;
# alternating runs, median, ratio.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
vessel=${1:?usage: switch.sh VESSEL_BIN [GUEST_DIR]}
guest=${2:-$("$(dirname "$0")/../../scripts/guest-dir.sh")}
runs=${RUNS:-3}
mb=${MB:-64}
mem=${MEM:-256M}
command -v vde_switch >/dev/null || { echo "vde_switch is missing (Debian's vde2)" >&2; exit 1; }

work=$(mktemp -d)
switch_pid=
cleanup() {
  [ -n "$switch_pid" ] && kill "$switch_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

root=$work/root
cp -r "$guest/rootfs" "$root"
chmod -R u+w "$root"
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp "$guest/busybox" "$root/bin/busybox"
# Receiver: listens before its link is up, so the sender's first successful ping means ready.
cat >"$root/etc/run/swrecv.sh" <<'SCRIPT'
#!/bin/sh
arg() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" /proc/cmdline; }
nc -l -p 5000 | head -c $(($(arg swbench_mb) * 1048576)) | wc -c > /tmp/count &
ip addr add 192.168.90.1/24 dev eth0 && ip link set eth0 up
wait
echo "swbench-recv bytes=$(cat /tmp/count)"
exit 0
SCRIPT
cat >"$root/etc/run/swsend.sh" <<'SCRIPT'
#!/bin/sh
arg() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" /proc/cmdline; }
ip addr add 192.168.90.2/24 dev eth0 && ip link set eth0 up
until ping -c 1 -W 1 192.168.90.1 >/dev/null 2>&1; do :; done
n=$(arg swbench_mb)
a=$(cut -d' ' -f1 /proc/uptime)
dd if=/dev/zero bs=1048576 count="$n" 2>/dev/null | nc 192.168.90.1 5000
b=$(cut -d' ' -f1 /proc/uptime)
echo "swbench-send rate=$(awk -v n="$n" -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", n * 1048576 / (b - a) / 1e6 }')"
exit 0
SCRIPT
chmod +x "$root/etc/run/swrecv.sh" "$root/etc/run/swsend.sh"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$work/initramfs.cpio.gz"

vm() {  # $1 = vessel|qemu, $2 = role (swrecv|swsend), $3 = MAC, $4 = console file
  local append="console=ttyS0 quiet run=$2 swbench_mb=$mb"
  if [ "$1" = vessel ]; then
    "$vessel" run --kernel "$guest/Image" --initrd "$work/initramfs.cpio.gz" --memory "$mem" \
      --net "vde,sock=$work/switch,mac=$3" --append "$append" </dev/null >"$4" 2>&1 || true
  else
    qemu-system-riscv64 -machine virt -nographic -m "$mem" -kernel "$guest/Image" -initrd "$work/initramfs.cpio.gz" \
      -netdev "vde,id=n0,sock=$work/switch" -device "virtio-net-device,netdev=n0,mac=$3" -append "$append" \
      </dev/null >"$4" 2>&1 || true
  fi
}

measure() {  # $1 = vessel|qemu; prints MB/s
  rm -rf "$work/switch" "$work/pid"
  vde_switch -s "$work/switch" -p "$work/pid" -d </dev/null >/dev/null 2>&1
  for _ in $(seq 100); do [ -s "$work/pid" ] && break; sleep 0.05; done
  switch_pid=$(cat "$work/pid")
  vm "$1" swrecv 52:54:00:00:90:01 "$work/recv" &
  local rpid=$!
  vm "$1" swsend 52:54:00:00:90:02 "$work/send"
  wait "$rpid"
  kill "$switch_pid" 2>/dev/null || true
  switch_pid=
  grep -q "swbench-recv bytes=$((mb << 20))" "$work/recv" || { echo "$1: the receiver did not get every byte:" >&2; tail -5 "$work/recv" >&2; exit 1; }
  local rate
  rate=$(sed -n 's/.*swbench-send rate=\([0-9.]*\).*/\1/p' "$work/send")
  [ -n "$rate" ] || { echo "no result from $1; console:" >&2; tail -20 "$work/send" >&2; exit 1; }
  echo "$rate"
}

v=() q=()
for _ in $(seq "$runs"); do
  v+=("$(measure vessel)")
  q+=("$(measure qemu)")
done
vm_=$(printf '%s\n' "${v[@]}" | median)
qm=$(printf '%s\n' "${q[@]}" | median)
printf 'VM-to-VM TCP over a VDE switch (%d MiB, median of %d)\n' "$mb" "$runs"
printf '  vessel: %.1f MB/s  (runs: %s)\n  qemu:   %.1f MB/s  (runs: %s)\n  ratio vessel/qemu: %.2f\n' \
  "$vm_" "${v[*]}" "$qm" "${q[*]}" "$(echo "$vm_ / $qm" | bc -l)"
