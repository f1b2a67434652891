#!/usr/bin/env bash
# gdb attached to a booted Linux guest on 2 harts: the harts are threads, a breakpoint on the
# kernel's trap vector (read from stvec: the shared guest ships no vmlinux with symbols) is
# hit, stepi works, and after `detach` the guest goes on and powers off when asked.
# Usage: kernel_test.sh VESSEL ENGINE. Exit 77 (ctest: skipped) without gdb-multiarch or guest.
set -uo pipefail
VESSEL=${1:?usage: kernel_test.sh VESSEL ENGINE}
ENGINE=${2:-jit}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
command -v gdb-multiarch >/dev/null || { echo "SKIPPED: gdb-multiarch is not installed (Debian package gdb-multiarch)"; exit 77; }
GUEST=$("$REPO/scripts/guest-dir.sh") || { echo "SKIPPED: no guest (scripts/guest-dir.sh failed)"; exit 77; }
WORK=$(mktemp -d /tmp/vessel-gdbk-XXXXXX)
vm=""
trap '[ -n "$vm" ] && kill $vm 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
mkfifo "$WORK/in"
exec 3<>"$WORK/in"  # the guest's console input, held open

"$VESSEL" run --kernel "$GUEST/Image" --initrd "$GUEST/initramfs.cpio.gz" --append "console=ttyS0 quiet" \
  --cpus 2 --memory 256M --engine "$ENGINE" --gdb "unix:$WORK/gdb.sock" <&3 >"$WORK/console" 2>"$WORK/vm.err" &
vm=$!
# The guest's shell is up (bounded wait on its console output).
for _ in $(seq 1200); do grep -q VESSEL-GUEST-READY "$WORK/console" 2>/dev/null && break; sleep 0.05; done
grep -q VESSEL-GUEST-READY "$WORK/console" || { echo "FAIL the guest did not boot"; cat "$WORK/vm.err"; exit 1; }

timeout 120 gdb-multiarch -batch -nx \
  -ex "set pagination off" -ex "set architecture riscv:rv64" \
  -ex "target remote $WORK/gdb.sock" \
  -ex "info threads" \
  -ex 'printf "stvec=%#lx\n", $stvec' \
  -ex 'break *$stvec' \
  -ex "continue" \
  -ex 'printf "stopped at the trap vector: %d, priv=%lu\n", $pc == $stvec, $priv' \
  -ex "stepi" \
  -ex 'printf "stepped off it: %d\n", $pc != $stvec' \
  -ex "delete" \
  -ex "detach" >"$WORK/gdb.out" 2>&1
cat "$WORK/gdb.out"
# Ctrl-C: gdb continues the VM at full speed (the guest answers its console meanwhile), then
# SIGINT to gdb makes it send the interrupt byte, and the VM stops again.
gdb-multiarch -batch -nx -ex "set architecture riscv:rv64" -ex "target remote $WORK/gdb.sock" -ex "continue" \
  -ex 'printf "interrupted at %#lx\n", $pc' -ex "detach" >"$WORK/gdb3.out" 2>&1 &
gdb3=$!
for _ in $(seq 200); do grep -q "Continuing" "$WORK/gdb3.out" 2>/dev/null && break; sleep 0.05; done
echo "echo running-while-continued" >&3
for _ in $(seq 200); do grep -q "^running-while-continued" "$WORK/console" && break; sleep 0.05; done
kill -INT $gdb3
wait $gdb3
cat "$WORK/gdb3.out"
grep -q "^running-while-continued" "$WORK/console" && echo "ok   the VM ran while continued" \
  || { echo "FAIL the VM did not run while continued"; echo 1 > "$WORK/failed-symbols"; }
grep -q "received signal SIGINT" "$WORK/gdb3.out" && echo "ok   Ctrl-C stopped it" \
  || { echo "FAIL Ctrl-C"; echo 1 > "$WORK/failed-symbols"; }

# With the recipe's vmlinux (symbols), also from the very first instruction: --gdb-wait, then a
# breakpoint on start_kernel by name (the recipe has no debug info: gdb shows the address and the
# name, no source line). The prebuilt ../shared/guest ships no vmlinux.
if [ -f "$GUEST/vmlinux" ]; then
  "$VESSEL" run --kernel "$GUEST/Image" --initrd "$GUEST/initramfs.cpio.gz" --append "console=ttyS0 quiet" \
    --cpus 2 --memory 256M --engine "$ENGINE" --gdb "unix:$WORK/gdb2.sock" --gdb-wait </dev/null >"$WORK/console2" 2>&1 &
  vm2=$!
  for _ in $(seq 200); do [ -S "$WORK/gdb2.sock" ] && break; sleep 0.05; done
  timeout 120 gdb-multiarch -batch -nx "$GUEST/vmlinux" -ex "target remote $WORK/gdb2.sock" \
    -ex "break start_kernel" -ex "continue" -ex "info threads" -ex "kill" >"$WORK/gdb2.out" 2>&1
  cat "$WORK/gdb2.out"
  kill $vm2 2>/dev/null; wait $vm2 2>/dev/null
  grep -Eq "Breakpoint 1, (0x[0-9a-f]+ in )?start_kernel \(" "$WORK/gdb2.out" && echo "ok   start_kernel by name, with --gdb-wait" \
    || { echo "FAIL start_kernel by name"; echo 1 > "$WORK/failed-symbols"; }
else
  echo "note: $GUEST has no vmlinux: the breakpoint by symbol name is not tried"
fi
echo "poweroff -f" >&3  # -f: the guest's init is a script that ignores the signal
wait $vm
vm_status=$?
vm=""

failures=0
expect() {
  if grep -Eq "$2" "$WORK/gdb.out"; then echo "ok   $1"; else echo "FAIL $1 (no /$2/ in gdb's output)"; failures=$((failures + 1)); fi
}
expect "two harts, two threads" 'Thread 2 \(hart 1\)'
expect "stvec read" '^stvec=0x[0-9a-f]+$'
expect "breakpoint on the trap vector hit" '^stopped at the trap vector: 1, priv=1$'
expect "stepi" '^stepped off it: 1$'
expect "detached" 'Detaching from program|detached'
[ "$vm_status" -eq 0 ] && echo "ok   the guest went on after detach and powered off" || { echo "FAIL vessel exited $vm_status"; tail -5 "$WORK/console"; failures=$((failures + 1)); }
[ -f "$WORK/failed-symbols" ] && failures=$((failures + 1))
[ "$failures" -eq 0 ] && echo "gdb on a kernel ($ENGINE): all checks passed"
exit $((failures > 0))
