#!/usr/bin/env bash
# The GDB stub with Debian's gdb-multiarch in batch mode, as a firmware developer uses it:
# `vessel run --elf debuggee.elf --gdb tcp::PORT` waits; gdb breaks in a function, steps,
# reads and writes registers and memory, watches a variable, continues to the program's exit.
# Usage: gdb_test.sh VESSEL DEBUGGEE_ELF ENGINE. Exit 77 (ctest: skipped) without gdb-multiarch.
set -uo pipefail
VESSEL=${1:?usage: gdb_test.sh VESSEL DEBUGGEE_ELF ENGINE}
ELF=${2:?}
ENGINE=${3:-jit}
command -v gdb-multiarch >/dev/null || { echo "SKIPPED: gdb-multiarch is not installed (Debian package gdb-multiarch)"; exit 77; }
WORK=$(mktemp -d /tmp/vessel-gdb-XXXXXX)
trap 'kill $vm 2>/dev/null; wait $vm 2>/dev/null; rm -rf "$WORK"' EXIT
SOCK=$WORK/gdb.sock

"$VESSEL" run --elf "$ELF" --engine "$ENGINE" --gdb "unix:$SOCK" >"$WORK/vm.out" 2>&1 &
vm=$!
for _ in $(seq 200); do [ -S "$SOCK" ] && break; sleep 0.05; done  # bounded readiness poll

timeout 120 gdb-multiarch -batch -nx "$ELF" \
  -ex "set pagination off" \
  -ex "target remote $SOCK" \
  -ex 'printf "entry pc is _start: %d\n", $pc == (unsigned long)&_start' \
  -ex "break count" \
  -ex "continue" \
  -ex 'printf "in count: by=%lu\n", $a0' \
  -ex "stepi" \
  -ex 'printf "stepped to %#lx\n", $pc' \
  -ex 'set $a1 = 0x1234' \
  -ex 'printf "a1=%#lx\n", $a1' \
  -ex "set var counter = 40" \
  -ex 'printf "counter=%lu\n", counter' \
  -ex "x/1gx &counter" \
  -ex "info threads" \
  -ex "delete" \
  -ex "watch counter" \
  -ex "continue" \
  -ex 'printf "after watch: counter=%lu\n", counter' \
  -ex "delete" \
  -ex "rwatch counter" \
  -ex "continue" \
  -ex 'printf "after rwatch: counter=%lu\n", counter' \
  -ex "delete" \
  -ex "awatch counter" \
  -ex "continue" \
  -ex "delete" \
  -ex 'printf "priv=%lu mhartid=%lu\n", $priv, $mhartid' \
  -ex "continue" >"$WORK/gdb.out" 2>&1
gdb_status=$?
wait $vm
vm_status=$?
cat "$WORK/gdb.out"

failures=0
expect() {  # expect NAME REGEX
  if grep -Eq "$2" "$WORK/gdb.out"; then echo "ok   $1"; else echo "FAIL $1 (no /$2/ in gdb's output)"; failures=$((failures + 1)); fi
}
expect "stopped at the entry" '^entry pc is _start: 1$'
expect "breakpoint hit in count" 'Breakpoint 1, (0x[0-9a-f]+ in )?count'
expect "first argument read" '^in count: by=1$'
expect "stepi moved the pc" '^stepped to 0x8000[0-9a-f]+$'
expect "register written and read back" '^a1=0x1234$'
expect "memory written through a variable" '^counter=40$'
expect "memory read with x" ':[[:space:]]+0x0000000000000028$'
expect "harts are threads" 'Thread 1'
expect "write watchpoint" 'Old value = 40'
expect "watchpoint new value" 'New value = 41'
expect "read watchpoint" 'Hardware read watchpoint 3: counter'
expect "read watchpoint stops at the read" '^Value = 41$'
expect "access watchpoint" 'Hardware access \(read/write\) watchpoint 4: counter'
expect "CSR and privilege registers" '^priv=3 mhartid=0$'
expect "continued to the exit" 'exited normally'
[ "$vm_status" -eq 0 ] && echo "ok   vessel exited 0" || { echo "FAIL vessel exited $vm_status"; cat "$WORK/vm.out"; failures=$((failures + 1)); }
[ "$gdb_status" -eq 0 ] || echo "(gdb exited $gdb_status)"
[ "$failures" -eq 0 ] && echo "gdb stub ($ENGINE): all checks passed"
exit $((failures > 0))
