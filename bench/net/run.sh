#!/usr/bin/env bash
# Guest-to-host TCP throughput over user networking (libslirp on both sides): the guest sends
# MB MiB of zeros with busybox nc to a listener on the host's loopback, reached as 10.0.2.2.
# Vessel (--net user) against QEMU (-machine virt, -netdev user + virtio-net-device) with the
# same kernel and a test initramfs made here; alternating runs, median, ratio.
set -euo pipefail
vessel=${1:?usage: run.sh VESSEL_BIN [GUEST_DIR]}
guest=${2:-$("$(dirname "$0")/../../scripts/guest-dir.sh")}
runs=${RUNS:-3}
mb=${MB:-64}
mem=${MEM:-256M}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Test initramfs: the guest's rootfs plus /etc/run/netbench.sh.
root=$work/root
cp -r "$guest/rootfs" "$root"
chmod -R u+w "$root"
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp "$guest/busybox" "$root/bin/busybox"
cat >"$root/etc/run/netbench.sh" <<'SCRIPT'
#!/bin/sh
arg() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" /proc/cmdline; }
udhcpc -i eth0 -n -q -t 10 -T 2 >/dev/null 2>&1 || exit 1
dd if=/dev/zero bs=1048576 count="$(arg netbench_mb)" 2>/dev/null | nc 10.0.2.2 "$(arg netbench_port)"
exit 0
SCRIPT
chmod +x "$root/etc/run/netbench.sh"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$work/initramfs.cpio.gz"

# Host side: accept one connection, count bytes to EOF, print MB/s from accept to the last byte.
sink() {  # $1 = port file; prints MB/s
  python3 - "$1" "$mb" <<'PY'
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
s.settimeout(600)
c, _ = s.accept(); c.settimeout(120)
t0 = time.monotonic(); n = 0; want = int(sys.argv[2]) << 20
while n < want:
    b = c.recv(1 << 20)
    if not b: break
    n += len(b)
t1 = time.monotonic()
print("%.2f %d" % (n / (t1 - t0) / 1e6, n))
PY
}

measure() {  # $1 = vessel|qemu; prints MB/s
  local portfile=$work/port out
  rm -f "$portfile"
  sink "$portfile" >"$work/result" &
  local spid=$!
  for _ in $(seq 100); do [ -s "$portfile" ] && break; sleep 0.05; done
  local append="console=ttyS0 quiet run=netbench netbench_port=$(cat "$portfile") netbench_mb=$mb"
  if [ "$1" = vessel ]; then
    "$vessel" run --kernel "$guest/Image" --initrd "$work/initramfs.cpio.gz" --memory "$mem" --net user \
      --append "$append" </dev/null >"$work/console" 2>&1 || true
  else
    qemu-system-riscv64 -machine virt -nographic -m "$mem" -kernel "$guest/Image" -initrd "$work/initramfs.cpio.gz" \
      -netdev user,id=n0 -device virtio-net-device,netdev=n0 -append "$append" </dev/null >"$work/console" 2>&1 || true
  fi
  wait "$spid" || true
  read -r rate bytes <"$work/result" || { echo "no result from $1; console:" >&2; tail -20 "$work/console" >&2; exit 1; }
  if [ "$bytes" -ne $((mb << 20)) ]; then echo "$1 sent $bytes of $((mb << 20)) bytes" >&2; fi
  echo "$rate"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
v=() q=()
for _ in $(seq "$runs"); do
  v+=("$(measure vessel)")
  q+=("$(measure qemu)")
done
vm=$(printf '%s\n' "${v[@]}" | median)
qm=$(printf '%s\n' "${q[@]}" | median)
printf 'guest-to-host TCP over user networking (%d MiB, median of %d)\n' "$mb" "$runs"
printf '  vessel: %.1f MB/s  (runs: %s)\n  qemu:   %.1f MB/s  (runs: %s)\n  ratio vessel/qemu: %.2f\n' \
  "$vm" "${v[*]}" "$qm" "${q[*]}" "$(echo "$vm / $qm" | bc -l)"
