#!/usr/bin/env bash
# VM-to-VM TCP throughput over a VDE switch (Debian's vde_switch): a receiver VM reads MB MiB
# with busybox nc, a sender VM on the same switch writes them; the receiver times the transfer
# from its first byte to its last. Two Vessel VMs (--net vde) against
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
guest_root "$guest" "$root"
# Receiver: listens before its link is up (so the sender's first successful ping means ready),
# times from the first byte to the last (dd reads the first byte alone; head the rest).
cat >"$root/etc/run/swrecv.sh" <<'SCRIPT'
#!/bin/sh
arg() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" /proc/cmdline; }
total=$(($(arg swbench_mb) * 1048576))
mkfifo /tmp/stream
nc -l -p 5000 > /tmp/stream &
ip addr add 192.168.90.1/24 dev eth0 && ip link set eth0 up
exec 3< /tmp/stream
dd bs=1 count=1 <&3 >/dev/null 2>&1
a=$(cut -d' ' -f1 /proc/uptime)
n=$(head -c $((total - 1)) <&3 | wc -c)
b=$(cut -d' ' -f1 /proc/uptime)
echo "swbench-recv bytes=$((n + 1)) rate=$(awk -v n="$n" -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", n / (b - a) / 1e6 }')"
exit 0
SCRIPT
# Sender: stays up after sending (a guest that powers off could lose what is still in flight);
# the bench ends it once the receiver is done.
cat >"$root/etc/run/swsend.sh" <<'SCRIPT'
#!/bin/sh
arg() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" /proc/cmdline; }
ip addr add 192.168.90.2/24 dev eth0 && ip link set eth0 up
until ping -c 1 -W 1 192.168.90.1 >/dev/null 2>&1; do :; done
dd if=/dev/zero bs=1048576 count="$(arg swbench_mb)" 2>/dev/null | nc 192.168.90.1 5000
sleep 600
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
  vm "$1" swsend 52:54:00:00:90:02 "$work/send" &
  local spid=$!
  vm "$1" swrecv 52:54:00:00:90:01 "$work/recv"
  # The sender's VM (vessel or qemu, our child's child): ended by its pid.
  pkill -TERM -P "$spid" 2>/dev/null || true
  wait "$spid" || true
  kill "$switch_pid" 2>/dev/null || true
  switch_pid=
  local rate
  rate=$(sed -n "s/.*swbench-recv bytes=$((mb << 20)) rate=\([0-9.]*\).*/\1/p" "$work/recv")
  [ -n "$rate" ] || { echo "$1: the receiver did not get every byte; console:" >&2; tail -5 "$work/recv" >&2; exit 1; }
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
