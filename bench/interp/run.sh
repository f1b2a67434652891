#!/usr/bin/env bash
# CPU engine speed on bare metal, vessel's interpreter and JIT against QEMU's TCG (machine
# `virt`, -bios none), alternating, median of RUNS (default 3):
#   loop.S   a 12-instruction integer loop run 200M times (2.4G instructions: ALU, shifts, a
#            load, a store, a multiply, a branch)
#   chain.S  11 dependent `addi` plus loop control, 100M times (1.3G instructions): what
#            an engine pays per step of a dependency chain
# Usage: run.sh VESSEL_BIN LOOP_ELF [CHAIN_ELF]
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
vessel=${1:?usage: run.sh VESSEL_BIN LOOP_ELF [CHAIN_ELF]}
loop=${2:?usage: run.sh VESSEL_BIN LOOP_ELF [CHAIN_ELF]}
chain=${3:-}
runs=${RUNS:-3}

time_cmd() {  # prints wall seconds of a command
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || { echo "command failed: $*" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}

measure() {  # name elf instructions
  local v=() j=() q=() vm jm qm
  for _ in $(seq "$runs"); do
    v+=("$(time_cmd "$vessel" run --engine interp --elf "$2")")
    j+=("$(time_cmd "$vessel" run --engine jit --elf "$2")")
    if command -v qemu-system-riscv64 >/dev/null; then
      q+=("$(time_cmd qemu-system-riscv64 -machine virt -nographic -bios none -kernel "$2")")
    fi
  done
  vm=$(printf '%s\n' "${v[@]}" | median)
  jm=$(printf '%s\n' "${j[@]}" | median)
  printf '%s: %d instructions\n' "$1" "$3"
  printf '  vessel interp: %.2f s  %.0f MIPS\n' "$vm" "$(echo "$3 / $vm / 1000000" | bc -l)"
  printf '  vessel jit:    %.2f s  %.0f MIPS\n' "$jm" "$(echo "$3 / $jm / 1000000" | bc -l)"
  if ((${#q[@]})); then
    qm=$(printf '%s\n' "${q[@]}" | median)
    printf '  qemu tcg:      %.2f s  %.0f MIPS\n' "$qm" "$(echo "$3 / $qm / 1000000" | bc -l)"
    printf '  ratio interp (vessel speed / qemu speed): %.2f\n' "$(echo "$qm / $vm" | bc -l)"
    printf '  ratio jit    (vessel speed / qemu speed): %.2f\n' "$(echo "$qm / $jm" | bc -l)"
  fi
}

measure "integer loop" "$loop" $((200000000 * 12 + 7))
[ -n "$chain" ] && measure "dependency chain" "$chain" $((100000000 * 13 + 7))
exit 0
