#!/usr/bin/env bash
# Docker (Debian's docker.io, with the containerd it starts) drives vessel-runc as an added
# runtime: `dockerd --add-runtime vessel=PATH`, then `docker run --runtime vessel`. The daemon
# gets its own data root, exec root and socket, and is stopped by this script.
# Exit 77 (ctest: skipped) when dockerd, busybox-static or root privileges are missing.
set -uo pipefail
RUNTIME=$(realpath "${1:?usage: docker_test.sh /path/to/vessel-runc}")

skip() { echo "SKIPPED: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root"
command -v dockerd >/dev/null || skip "dockerd is not installed (package docker.io; scripts/install-deps.sh installs it)"
command -v containerd >/dev/null || skip "containerd is not installed (package containerd)"
[ -x /bin/busybox ] && ! LC_ALL=C readelf -l /bin/busybox 2>/dev/null | grep -q "program interpreter" \
  || skip "needs the statically linked /bin/busybox (package busybox-static)"

WORK=$(mktemp -d /tmp/vessel-docker-XXXXXX)
chmod 755 "$WORK"
SOCK="$WORK/docker.sock"
D=(docker -H "unix://$SOCK")
failures=0
daemon=""
cleanup() {
  [ -n "$daemon" ] && "${D[@]}" rm -f $("${D[@]}" ps -aq) >/dev/null 2>&1
  if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null; fi
  awk -v w="$WORK" '$5 ~ "^"w {print $5}' /proc/self/mountinfo | sort -r | xargs -r umount -l
  rm -rf "$WORK"
}
trap cleanup EXIT
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected [$2] got [$3]"; failures=$((failures + 1)); fi
}

# No bridge and no iptables: the test touches nothing of the host's network.
dockerd --data-root "$WORK/data" --exec-root "$WORK/exec" --pidfile "$WORK/docker.pid" -H "unix://$SOCK" \
  --add-runtime "vessel=$RUNTIME" --bridge none --iptables=false --ip6tables=false --storage-driver vfs \
  --containerd-namespace "vessel-test-$$" --containerd-plugins-namespace "vessel-test-plugins-$$" \
  >"$WORK/dockerd.log" 2>&1 &
daemon=$!
# dockerd signals readiness only by answering on its socket: wait for that (bounded), or its exit.
for _ in $(seq 600); do
  "${D[@]}" version >/dev/null 2>&1 && break
  kill -0 "$daemon" 2>/dev/null || { echo "FAIL dockerd exited:"; tail -20 "$WORK/dockerd.log"; exit 1; }
  sleep 0.1
done
"${D[@]}" version >/dev/null 2>&1 || { echo "FAIL dockerd did not answer within 60 s"; tail -20 "$WORK/dockerd.log"; exit 1; }

mkdir -p "$WORK/rootfs/bin" "$WORK/rootfs/etc" "$WORK/rootfs/proc" "$WORK/rootfs/sys" "$WORK/rootfs/dev" "$WORK/rootfs/tmp"
cp /bin/busybox "$WORK/rootfs/bin/"
for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -s busybox "$WORK/rootfs/bin/$applet"; done
tar -C "$WORK/rootfs" -c . | "${D[@]}" import - vessel-busybox:test >/dev/null || { echo "FAIL docker import"; exit 1; }
R=(--runtime vessel)

check "run: output" hello "$("${D[@]}" run --rm "${R[@]}" vessel-busybox:test echo hello 2>&1)"
check "run: pid 1" 1 "$("${D[@]}" run --rm "${R[@]}" vessel-busybox:test sh -c 'echo $$')"
"${D[@]}" run --rm "${R[@]}" vessel-busybox:test sh -c 'exit 42'
check "run: exit status" 42 "$?"
check "run -t: terminal" /dev/pts/0 "$("${D[@]}" run --rm -t "${R[@]}" vessel-busybox:test tty </dev/null | tr -d '\r')"
check "run: default seccomp profile" 2 \
  "$("${D[@]}" run --rm "${R[@]}" vessel-busybox:test sh -c 'grep ^Seccomp: /proc/self/status' | awk '{print $2}')"
out=$("${D[@]}" run --rm "${R[@]}" --memory 32m --pids-limit 50 --cpus 0.5 --user 1000:1000 --cap-drop ALL --read-only \
      vessel-busybox:test sh -c 'id -u; cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max;
                              cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max;
                              grep ^CapEff /proc/self/status | cut -f2; touch /x 2>/dev/null || echo read-only' 2>&1)
check "run: limits, user, capabilities, read-only root" "1000 33554432 50 0000000000000000 read-only" "$(echo $out)"

"${D[@]}" run -d --name vt "${R[@]}" vessel-busybox:test sh -c 'echo from-log; exec sleep 1000' >/dev/null
check "run -d: running" running "$("${D[@]}" inspect -f '{{.State.Status}}' vt)"
check "run -d: runtime" vessel "$("${D[@]}" inspect -f '{{.HostConfig.Runtime}}' vt)"
check "exec: output" in-exec "$("${D[@]}" exec vt echo in-exec)"
"${D[@]}" exec vt sh -c 'exit 3'
check "exec: exit status" 3 "$?"
check "logs" from-log "$("${D[@]}" logs vt 2>&1)"
check "top: the container's process" 1 "$("${D[@]}" top vt | grep -c 'sleep 1000')"
"${D[@]}" pause vt >/dev/null
check "pause" paused "$("${D[@]}" inspect -f '{{.State.Status}}' vt)"
"${D[@]}" unpause vt >/dev/null
check "unpause" running "$("${D[@]}" inspect -f '{{.State.Status}}' vt)"
"${D[@]}" stop -t 1 vt >/dev/null
check "stop: exited (SIGKILL after the timeout, pid 1 ignores SIGTERM)" "exited 137" \
  "$("${D[@]}" inspect -f '{{.State.Status}} {{.State.ExitCode}}' vt)"
"${D[@]}" rm vt >/dev/null
check "rm: gone" 0 "$("${D[@]}" ps -aq | wc -l)"

[ "$failures" -eq 0 ] && echo "docker + vessel-runc: all checks passed"
exit $((failures > 0))
