#!/usr/bin/env bash
# podman drives vessel-runc as its OCI runtime: run, exec, stop, rm on a locally imported
# busybox-static image, with private storage in a temporary directory.
# Exit 77 (ctest: skipped) when podman, busybox-static or root privileges are missing.
set -uo pipefail
RUNTIME=$(realpath "${1:?usage: podman_test.sh /path/to/vessel-runc}")

skip() { echo "SKIPPED: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root"
command -v podman >/dev/null || skip "podman is not installed (scripts/install-deps.sh installs it)"
[ -x /bin/busybox ] && ! LC_ALL=C readelf -l /bin/busybox 2>/dev/null | grep -q "program interpreter" \
  || skip "needs the statically linked /bin/busybox (package busybox-static)"

WORK=$(mktemp -d /tmp/vessel-podman-XXXXXX)
STATE="$WORK/runtime-state"
# A wrapper fixes the runtime's state directory: podman does not pass --runtime-flag on to the
# cleanup process that conmon starts when a container exits.
printf '#!/bin/sh\nexec "%s" --root "%s" "$@"\n' "$RUNTIME" "$STATE" > "$WORK/vessel-runc"
chmod +x "$WORK/vessel-runc"
P=(podman --root "$WORK/storage" --runroot "$WORK/run" --cgroup-manager cgroupfs --events-backend none
   --runtime "$WORK/vessel-runc")
LIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
failures=0
cleanup() {
  "${P[@]}" rm -af -t 0 >/dev/null 2>&1
  "${P[@]}" rmi -af >/dev/null 2>&1
  # podman's overlay driver leaves its own mounts in the storage directory.
  awk -v w="$WORK" '$5 ~ "^"w {print $5}' /proc/self/mountinfo | sort -r | xargs -r umount -l
  rm -rf "$WORK"
}
trap cleanup EXIT
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected [$2] got [$3]"; failures=$((failures + 1)); fi
}

mkdir -p "$WORK/rootfs/bin" "$WORK/rootfs/etc" "$WORK/rootfs/proc" "$WORK/rootfs/sys" "$WORK/rootfs/dev" "$WORK/rootfs/tmp"
cp /bin/busybox "$WORK/rootfs/bin/"
for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -s busybox "$WORK/rootfs/bin/$applet"; done
tar -C "$WORK/rootfs" -c . | "${P[@]}" import - localhost/vessel-busybox:test >/dev/null || { echo "FAIL podman import"; exit 1; }

out=$("${P[@]}" run --rm "${LIMITS[@]}" localhost/vessel-busybox:test sh -c 'echo $$; hostname; ls /proc | grep -c "^[0-9]"')
check "run: pid 1" 1 "$(echo "$out" | sed -n 1p)"
check "run: sees only its own processes" 1 "$([ "$(echo "$out" | sed -n 3p)" -le 4 ] && echo 1)"

"${P[@]}" run --rm "${LIMITS[@]}" localhost/vessel-busybox:test sh -c 'exit 7'
check "run: exit status" 7 "$?"

"${P[@]}" run -d --name vt "${LIMITS[@]}" localhost/vessel-busybox:test sleep 1000 >/dev/null
check "run -d: running" running "$("${P[@]}" inspect -f '{{.State.Status}}' vt)"
check "exec: output" "hello 1" "$("${P[@]}" exec vt sh -c 'echo hello $(cat /proc/1/cmdline | tr "\0" " " | grep -c sleep)')"
"${P[@]}" exec vt sh -c 'exit 3'
check "exec: exit status" 3 "$?"
check "exec -t: terminal" /dev/pts/0 "$("${P[@]}" exec -t vt tty </dev/null | tr -d '\r')"
"${P[@]}" pause vt >/dev/null
check "pause" paused "$("${P[@]}" inspect -f '{{.State.Status}}' vt)"
"${P[@]}" unpause vt >/dev/null
check "unpause" running "$("${P[@]}" inspect -f '{{.State.Status}}' vt)"
"${P[@]}" stop -t 1 vt >/dev/null 2>&1
check "stop: exited" exited "$("${P[@]}" inspect -f '{{.State.Status}}' vt)"
id=$("${P[@]}" inspect -f '{{.Id}}' vt)
"${P[@]}" rm vt >/dev/null
check "rm: gone" 0 "$("${P[@]}" ps -aq | wc -l)"
check "rm: no cgroup left" "" "$(ls -d /sys/fs/cgroup/*/libpod_parent/libpod-"$id" /sys/fs/cgroup/libpod_parent/libpod-"$id" 2>/dev/null)"
check "runtime state cleaned" "" "$(ls "$STATE" 2>/dev/null)"

out=$("${P[@]}" run --rm "${LIMITS[@]}" --memory 32m --pids-limit 64 localhost/vessel-busybox:test \
      sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max')
check "run --memory: limit applied" 33554432 "$out"

[ "$failures" -eq 0 ] && echo "podman + vessel-runc: all checks passed"
exit $((failures > 0))
