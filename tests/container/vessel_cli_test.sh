#!/usr/bin/env bash
# `vessel container run --rootfs DIR [--memory] [--cpus] -- CMD` through the main vessel binary.
# Exit 77 (ctest: skipped) without root or busybox-static.
set -uo pipefail
VESSEL=$(realpath "${1:?usage: vessel_cli_test.sh /path/to/vessel}")
[ -x "$VESSEL" ] || { echo "SKIPPED: $VESSEL is not built"; exit 77; }
[ "$(id -u)" -eq 0 ] || { echo "SKIPPED: needs root"; exit 77; }
[ -x /bin/busybox ] && ! LC_ALL=C readelf -l /bin/busybox 2>/dev/null | grep -q "program interpreter" \
  || { echo "SKIPPED: needs the statically linked /bin/busybox (busybox-static)"; exit 77; }

WORK=$(mktemp -d /tmp/vessel-cli-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/rootfs/bin" "$WORK/rootfs/proc" "$WORK/rootfs/sys" "$WORK/rootfs/dev" "$WORK/rootfs/tmp"
cp /bin/busybox "$WORK/rootfs/bin/"
for a in sh cat echo; do ln -s busybox "$WORK/rootfs/bin/$a"; done
V=("$VESSEL" container --root "$WORK/state")
failures=0
check() { if [ "$2" == "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected [$2] got [$3]"; failures=$((failures + 1)); fi; }

out=$("${V[@]}" run --rootfs "$WORK/rootfs" --memory 48m --cpus 0.5 -- sh -c \
      'echo $$; cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max')
check "pid 1" 1 "$(echo "$out" | sed -n 1p)"
check "memory limit" 50331648 "$(echo "$out" | sed -n 2p)"
"${V[@]}" run --rootfs "$WORK/rootfs" -- sh -c 'exit 5'
check "exit status" 5 "$?"
"${V[@]}" run --rootfs "$WORK/nowhere" -- sh 2>/dev/null
check "bad rootfs is a usage error" 2 "$?"
check "nothing left" "" "$(ls "$WORK/state" 2>/dev/null)"
exit $((failures > 0))
