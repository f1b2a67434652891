#!/bin/sh
# Guest side of bench/programs (installed as /etc/run/programs.sh, run with run=programs): runs
# each program listed in /bench/list ("NAME COMMAND..." per line) under /bin/timeit, in order,
# in /tmp. Exits non-zero if any program failed its own check.
set -eu
cd /tmp
# Wait, untimed, for the kernel's random pool: the first program that asks for randomness
# (sqlite3 does) would otherwise wait for it inside its own time, seconds under QEMU, whose
# guest has no entropy source (reading /dev/random blocks only until the pool is ready).
dd if=/dev/random of=/dev/null bs=16 count=1 2>/dev/null
failed=0
while read -r name command; do
  [ -n "$name" ] || continue
  # shellcheck disable=SC2086  # the command's words are split on purpose
  /bin/timeit "$name" $command || { echo "bench-program $name FAILED"; failed=1; }
done </bench/list
exit $failed
