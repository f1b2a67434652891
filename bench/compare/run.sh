#!/usr/bin/env bash
# One command comparing vessel with QEMU 7.2 TCG (-machine virt, Debian's qemu-system-misc) on
# the same guest workloads: same kernel, initramfs, memory and harts, runs alternating, medians.
#   boot    boot to poweroff (wall time)
#   cpu     the guest's run=cpu (sha256 and gzip of 32 MiB; seconds measured in the guest)
#   cpubench  bench/cpu/cpubench.c cross-compiled (seconds in the guest), also run natively
#   smp     run=smp with 4 harts (seconds in the guest)
# Usage: bench/compare/run.sh VESSEL_BIN CPUBENCH_RISCV CPUBENCH_NATIVE [GUEST_DIR]
# ENGINE=interp measures vessel's interpreter instead of the JIT (the default); RUNS=N
# (default 3) sets the runs per side.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
vessel=${1:?usage: run.sh VESSEL_BIN CPUBENCH_RISCV CPUBENCH_NATIVE [GUEST_DIR]}
cpubench_rv=${2:?} cpubench_native=${3:?}
here=$(cd "$(dirname "$0")" && pwd)
guest=${4:-$("$here/../../scripts/guest-dir.sh")}
runs=${RUNS:-3}
mem=256M
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The guest's initramfs plus the benchmark program and its run script.
mkdir "$work/root"
(cd "$work/root" && gzip -dc "$guest/initramfs.cpio.gz" | cpio -id --quiet)
install -m 755 "$cpubench_rv" "$work/root/bin/cpubench"
install -m 755 "$here/../cpu/run.sh" "$work/root/etc/run/cpubench.sh"
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1 > "$work/initramfs.cpio.gz")
initrd=$work/initramfs.cpio.gz kernel=$guest/Image

engine=${ENGINE:-jit}
vessel_cmd() { "$vessel" run --engine "$engine" --kernel "$kernel" --initrd "$initrd" --memory "$mem" --cpus "$1" --append "console=ttyS0 quiet run=$2"; }
qemu_cmd() {
  qemu-system-riscv64 -machine virt -nographic -m "$mem" -smp "$1" -kernel "$kernel" -initrd "$initrd" \
    -append "console=ttyS0 quiet run=$2"
}
# Runs one workload; prints the metric: wall seconds, or the named value the guest printed.
measure() {  # engine harts script key
  local t0 t1 out
  t0=$(date +%s.%N)
  out=$("${1}_cmd" "$2" "$3" </dev/null 2>&1)
  t1=$(date +%s.%N)
  grep -aq "VESSEL-RUN-EXIT=0" <<<"$out" || { echo "workload $3 failed on $1" >&2; exit 1; }
  if [ "$4" = wall ]; then echo "$t1 - $t0" | bc -l; else grep -a "$4" <<<"$out" | head -1 | tr -d '\r' | awk '{print $2}'; fi
}

printf '%-10s %12s %12s %10s\n' workload "vessel_s($engine)" qemu_s "speed vs qemu"
for spec in "boot 1 poweroff wall" "cpu 1 cpu cpu-seconds-in-guest:" "cpubench 1 cpubench cpubench-total-seconds:" \
            "smp 4 smp smp-seconds-in-guest:"; do
  read -r name harts script key <<<"$spec"
  v=() q=()
  for _ in $(seq "$runs"); do
    v+=("$(measure vessel "$harts" "$script" "$key")")
    q+=("$(measure qemu "$harts" "$script" "$key")")
  done
  vm=$(printf '%s\n' "${v[@]}" | median) qm=$(printf '%s\n' "${q[@]}" | median)
  printf '%-10s %12.2f %12.2f %9.2fx\n' "$name" "$vm" "$qm" "$(echo "$qm / $vm" | bc -l)"
  [ "$name" = cpubench ] && vessel_cpubench=$vm
done
native=$("$cpubench_native" | grep total-seconds | awk '{print $2}')
printf 'native cpubench: %.3f s; vessel is %.1fx slower than native\n' "$native" "$(echo "$vessel_cpubench / $native" | bc -l)"
