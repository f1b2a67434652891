#!/usr/bin/env bash
# Boot-to-poweroff wall time of vessel and QEMU (`-machine virt`, Debian's qemu-system-misc)
# with the same kernel, initramfs, memory and harts, alternating runs; then the host CPU an
# idle booted guest uses, and its RSS.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
vessel=${1:?usage: run.sh VESSEL_BIN [GUEST_DIR]}
guest=${2:-$("$(dirname "$0")/../../scripts/guest-dir.sh")}
runs=${RUNS:-5}
cpus=${CPUS:-1}
mem=${MEM:-256M}
append="console=ttyS0 quiet run=poweroff"
kernel=$guest/Image initrd=$guest/initramfs.cpio.gz

secs() { echo "$2 - $1" | bc -l; }
now() { date +%s.%N; }
run_vessel() { "$vessel" run --kernel "$kernel" --initrd "$initrd" --memory "$mem" --cpus "$cpus" --append "$1"; }
run_qemu() {
  qemu-system-riscv64 -machine virt -nographic -m "$mem" -smp "$cpus" -kernel "$kernel" -initrd "$initrd" \
    -append "$1"
}

v=() q=()
for _ in $(seq "$runs"); do
  t0=$(now); run_vessel "$append" </dev/null >/dev/null 2>&1; t1=$(now); v+=("$(secs "$t0" "$t1")")
  t0=$(now); run_qemu "$append" </dev/null >/dev/null 2>&1; t1=$(now); q+=("$(secs "$t0" "$t1")")
done
vm=$(printf '%s\n' "${v[@]}" | median)
qm=$(printf '%s\n' "${q[@]}" | median)
printf 'boot to poweroff (%s harts, %s, median of %d)\n' "$cpus" "$mem" "$runs"
printf '  vessel: %.2f s\n  qemu:   %.2f s\n  ratio vessel/qemu time: %.2f\n' "$vm" "$qm" "$(echo "$vm / $qm" | bc -l)"

# Idle: boot to a shell, wait until userspace is up, then sample CPU time over 10 s.
idle() {  # $1 = name, rest = command
  local name=$1; shift
  local log fifo pid t0 c0 c1 rss
  log=$(mktemp) fifo=$(mktemp -u)
  mkfifo "$fifo"
  "$@" <"$fifo" >"$log" 2>&1 &
  pid=$!
  exec 7>"$fifo"  # keep the console input open
  for _ in $(seq 600); do grep -q VESSEL-GUEST-READY "$log" && break; sleep 0.1; done
  sleep 2  # let boot-time work (deferred probes, udev-like scripts) settle
  c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  sleep 10
  c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  printf '  %-7s idle CPU %.2f%% of one core, RSS %d MiB\n' "$name" "$(echo "($c1 - $c0) / $(getconf CLK_TCK) / 10 * 100" | bc -l)" $((rss / 1024))
  kill "$pid"; wait "$pid" 2>/dev/null || true
  exec 7>&-
  rm -f "$fifo" "$log"
}
echo "idle booted guest ($cpus harts, $mem)"
idle vessel "$vessel" run --kernel "$kernel" --initrd "$initrd" --memory "$mem" --cpus "$cpus" --append "console=ttyS0 quiet"
idle qemu qemu-system-riscv64 -machine virt -nographic -m "$mem" -smp "$cpus" -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0 quiet"
