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

# podman's defaults: its seccomp profile (containers-common), capabilities, user, read-only
# root, a bind volume and limits, as its users run it.
mkdir -p "$WORK/volume" && echo from-volume > "$WORK/volume/file"
out=$("${P[@]}" run --rm "${LIMITS[@]}" --user 1000:1000 --cap-drop ALL --cap-add NET_BIND_SERVICE --read-only \
      -v "$WORK/volume:/data" --pids-limit 50 --memory 64m --cpus 0.5 localhost/vessel-busybox:test sh -c '
        id -u; grep ^Seccomp: /proc/self/status | cut -f2; grep ^CapEff /proc/self/status | cut -f2; cat /data/file
        touch /x 2>/dev/null || echo read-only
        cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max
        cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cut -d" " -f1 /sys/fs/cgroup/cpu.max' 2>&1)
check "run with defaults: user, seccomp, capabilities, volume, read-only, pids, cpus" \
  "1000 2 0000000000000400 from-volume read-only 50 50000" "$(echo $out)"
check "default seccomp profile: personality values it lists (several rules for one syscall)" 0 \
  "$("${P[@]}" run --rm "${LIMITS[@]}" localhost/vessel-busybox:test sh -c 'linux32 true; echo $?')"
# The same profile without mkdir: what it no longer allows gets its defaultErrnoRet.
if [ -f /usr/share/containers/seccomp.json ]; then
  python3 -c 'import json, sys
p = json.load(open(sys.argv[1]))
for r in p["syscalls"]: r["names"] = [n for n in r["names"] if n not in ("mkdir", "mkdirat")]
json.dump(p, open(sys.argv[2], "w"))' /usr/share/containers/seccomp.json "$WORK/no-mkdir.json"
  check "a profile given with --security-opt seccomp= (its defaultErrnoRet, ENOSYS)" "Function not implemented" \
    "$("${P[@]}" run --rm "${LIMITS[@]}" --security-opt seccomp="$WORK/no-mkdir.json" localhost/vessel-busybox:test \
       sh -c 'mkdir /tmp/d 2>&1 | sed "s/.*: //"')"
fi

"${P[@]}" run -d --name vs "${LIMITS[@]}" localhost/vessel-busybox:test sh -c 'echo from-log; exec sleep 1000' >/dev/null
check "logs" from-log "$("${P[@]}" logs vs 2>&1)"
check "top" 1 "$("${P[@]}" top vs | grep -c 'sleep 1000')"
check "stats: one process" 1 "$("${P[@]}" stats --no-stream --format '{{.PIDs}}' vs)"
"${P[@]}" rm -f -t 0 vs >/dev/null 2>&1

[ "$failures" -eq 0 ] && echo "podman + vessel-runc: all checks passed"
exit $((failures > 0))
