#!/usr/bin/env bash
# Create-to-running of a container through vesseld (POST /v1/containers with "start": true,
# answered once the container's program runs) against `podman run -d` of the same image
# with runc as podman's runtime (Debian's default, crun, refuses hybrid cgroup hosts), taking
# turns, in the same run. Needs root, podman and busybox-static. Usage: bench/container/manager_run.sh BUILD_DIR [COUNT]
set -euo pipefail
BUILD=$(realpath "${1:?usage: manager_run.sh BUILD_DIR [COUNT]}")
COUNT=${2:-20}
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "manager_run: SKIPPED (needs root)"; exit 0; }
command -v podman >/dev/null || { echo "manager_run: SKIPPED (podman is not installed)"; exit 0; }

WORK=$(mktemp -d /tmp/vessel-ctbench-XXXXXX)
P=(podman --root "$WORK/podman" --runroot "$WORK/podman-run" --cgroup-manager cgroupfs --events-backend none --runtime runc)
LIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
daemon=""
cleanup() {
  "${P[@]}" rm -af -t 0 >/dev/null 2>&1 || true
  if [ -n "$daemon" ]; then
    for n in $(seq "$COUNT"); do curl -s --unix-socket "$WORK/v.sock" -XPOST "http://x/v1/containers/b$n/kill" >/dev/null || true; done
    kill "$daemon"; wait "$daemon" 2>/dev/null || true
  fi
  "${P[@]}" rmi -af >/dev/null 2>&1 || true
  awk -v w="$WORK" '$5 ~ "^"w {print $5}' /proc/self/mountinfo | sort -r | xargs -r umount -l
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/rootfs/bin" "$WORK/rootfs/proc" "$WORK/rootfs/sys" "$WORK/rootfs/dev" "$WORK/rootfs/tmp"
cp /bin/busybox "$WORK/rootfs/bin/"
for a in sh sleep true; do ln -s busybox "$WORK/rootfs/bin/$a"; done
tar -C "$WORK/rootfs" -c . | "${P[@]}" import -q - localhost/bench:1 >/dev/null
"${P[@]}" save -q --format docker-archive -o "$WORK/image.tar" localhost/bench:1

"$BUILD/vesseld" --socket "$WORK/v.sock" --state-dir "$WORK/state" --log-file "$WORK/vesseld.log" &
daemon=$!
for _ in $(seq 200); do [ -S "$WORK/v.sock" ] && break; sleep 0.05; done  # readiness poll, bounded
C=(curl -sf --unix-socket "$WORK/v.sock")
"${C[@]}" -XPOST http://x/v1/images -d "{\"path\":\"$WORK/image.tar\",\"name\":\"bench\"}" >/dev/null

now_ms() { date +%s%N | awk '{printf "%.3f\n", $1 / 1e6}'; }
: > "$WORK/vessel.ms"; : > "$WORK/podman.ms"
for n in $(seq "$COUNT"); do
  t0=$(now_ms)
  "${C[@]}" -XPOST http://x/v1/containers \
    -d "{\"name\":\"b$n\",\"image\":\"bench\",\"command\":[\"sleep\",\"1000\"],\"start\":true}" | grep -q '"state":"running"'
  t1=$(now_ms)
  "${P[@]}" run -d "${LIMITS[@]}" --name "p$n" localhost/bench:1 sleep 1000 >/dev/null
  t2=$(now_ms)
  echo "$t1 - $t0" | bc >> "$WORK/vessel.ms"
  echo "$t2 - $t1" | bc >> "$WORK/podman.ms"
done
v=$(median < "$WORK/vessel.ms"); p=$(median < "$WORK/podman.ms")
printf 'create-to-running, %d containers each, taking turns (median ms):\n' "$COUNT"
printf '  vesseld POST /v1/containers start=true  %8.1f ms\n' "$v"
printf '  podman run -d (runtime runc)            %8.1f ms\n' "$p"
printf '  ratio vesseld/podman: %.3fx\n' "$(echo "$v / $p" | bc -l)"
