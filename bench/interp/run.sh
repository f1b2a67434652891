#!/usr/bin/env bash
# CPU engine speed: a 12-instruction integer loop run 200M times (2.4G instructions) on
# vessel's interpreter, vessel's JIT and QEMU's TCG (machine `virt`, -bios none),
# alternating, median of 3.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
vessel=${1:?usage: run.sh VESSEL_BIN LOOP_ELF}
elf=${2:?usage: run.sh VESSEL_BIN LOOP_ELF}
runs=${RUNS:-3}
insns=$((200000000 * 12 + 7))

time_cmd() {  # prints wall seconds of a command
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || { echo "command failed: $*" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}

v=() j=() q=()
for _ in $(seq "$runs"); do
  v+=("$(time_cmd "$vessel" run --engine interp --elf "$elf")")
  j+=("$(time_cmd "$vessel" run --engine jit --elf "$elf")")
  if command -v qemu-system-riscv64 >/dev/null; then
    q+=("$(time_cmd qemu-system-riscv64 -machine virt -nographic -bios none -kernel "$elf")")
  fi
done
vm=$(printf '%s\n' "${v[@]}" | median)
jm=$(printf '%s\n' "${j[@]}" | median)
printf 'integer loop: %d instructions\n' "$insns"
printf '  vessel interp: %.2f s  %.0f MIPS\n' "$vm" "$(echo "$insns / $vm / 1000000" | bc -l)"
printf '  vessel jit:    %.2f s  %.0f MIPS\n' "$jm" "$(echo "$insns / $jm / 1000000" | bc -l)"
if ((${#q[@]})); then
  qm=$(printf '%s\n' "${q[@]}" | median)
  printf '  qemu tcg:      %.2f s  %.0f MIPS\n' "$qm" "$(echo "$insns / $qm / 1000000" | bc -l)"
  printf '  ratio interp (vessel speed / qemu speed): %.2f\n' "$(echo "$qm / $vm" | bc -l)"
  printf '  ratio jit    (vessel speed / qemu speed): %.2f\n' "$(echo "$qm / $jm" | bc -l)"
fi
