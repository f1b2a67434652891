#!/usr/bin/env bash
# TCP throughput over user networking (libslirp on both sides). Guest to host: the guest sends
# MB MiB of zeros with busybox nc to a listener on the host's loopback, reached as 10.0.2.2.
# Host to guest: the guest fetches MB MiB with busybox wget from an HTTP server on loopback.
# Vessel (--net user) against QEMU (-machine virt, -netdev user + virtio-net-device) with the
# same kernel and a test initramfs made here; alternating runs, median, ratio.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
vessel=${1:?usage: run.sh VESSEL_BIN [GUEST_DIR]}
guest=${2:-$("$(dirname "$0")/../../scripts/guest-dir.sh")}
runs=${RUNS:-3}
mb=${MB:-64}
mem=${MEM:-256M}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Test initramfs: the guest's rootfs plus /etc/run/netbench.sh.
root=$work/root
guest_root "$guest" "$root"
cat >"$root/etc/run/netbench.sh" <<'SCRIPT'
#!/bin/sh
arg() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" /proc/cmdline; }
udhcpc -i eth0 -n -q -t 10 -T 2 >/dev/null 2>&1 || exit 1
dd if=/dev/zero bs=1048576 count="$(arg netbench_mb)" 2>/dev/null | nc 10.0.2.2 "$(arg netbench_port)"
exit 0
SCRIPT
# Host-to-guest: wget from an HTTP server on host loopback, timed inside the guest.
cat >"$root/etc/run/netbench_rx.sh" <<'SCRIPT'
#!/bin/sh
arg() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" /proc/cmdline; }
udhcpc -i eth0 -n -q -t 10 -T 2 >/dev/null 2>&1 || exit 1
a=$(cut -d' ' -f1 /proc/uptime)
n=$(wget -q -O - "http://10.0.2.2:$(arg netbench_port)/zeros" | wc -c)
b=$(cut -d' ' -f1 /proc/uptime)
echo "netbench-rx bytes=$n rate=$(awk -v n="$n" -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", n / (b - a) / 1e6 }')"
exit 0
SCRIPT
chmod +x "$root/etc/run/netbench.sh" "$root/etc/run/netbench_rx.sh"
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
  guest_run "$1" "console=ttyS0 quiet run=netbench netbench_port=$(cat "$portfile") netbench_mb=$mb"
  wait "$spid" || true
  read -r rate bytes <"$work/result" || { echo "no result from $1; console:" >&2; tail -20 "$work/console" >&2; exit 1; }
  if [ "$bytes" -ne $((mb << 20)) ]; then echo "$1 sent $bytes of $((mb << 20)) bytes" >&2; fi
  echo "$rate"
}

guest_run() {  # $1 = vessel|qemu, $2 = kernel command line
  if [ "$1" = vessel ]; then
    "$vessel" run --kernel "$guest/Image" --initrd "$work/initramfs.cpio.gz" --memory "$mem" --net user \
      --append "$2" </dev/null >"$work/console" 2>&1 || true
  else
    qemu-system-riscv64 -machine virt -nographic -m "$mem" -kernel "$guest/Image" -initrd "$work/initramfs.cpio.gz" \
      -netdev user,id=n0 -device virtio-net-device,netdev=n0 -append "$2" </dev/null >"$work/console" 2>&1 || true
  fi
}

measure_rx() {  # $1 = vessel|qemu; prints MB/s
  local rate
  guest_run "$1" "console=ttyS0 quiet run=netbench_rx netbench_port=$http_port"
  rate=$(sed -n "s/.*netbench-rx bytes=$((mb << 20)) rate=\([0-9.]*\).*/\1/p" "$work/console")
  [ -n "$rate" ] || { echo "no rx result from $1; console:" >&2; tail -20 "$work/console" >&2; exit 1; }
  echo "$rate"
}

v=() q=()
for _ in $(seq "$runs"); do
  v+=("$(measure vessel)")
  q+=("$(measure qemu)")
done
report() {  # $1 = title, $2 = vessel rates, $3 = qemu rates
  local vm qm
  vm=$(printf '%s\n' $2 | median)
  qm=$(printf '%s\n' $3 | median)
  printf '%s over user networking (%d MiB, median of %d)\n' "$1" "$mb" "$runs"
  printf '  vessel: %.1f MB/s  (runs: %s)\n  qemu:   %.1f MB/s  (runs: %s)\n  ratio vessel/qemu: %.2f\n' \
    "$vm" "$2" "$qm" "$3" "$(echo "$vm / $qm" | bc -l)"
}
report "guest-to-host TCP" "${v[*]}" "${q[*]}"

# Host-to-guest: a static file server on loopback (python3's http.server).
mkdir -p "$work/www"
head -c $((mb << 20)) /dev/zero >"$work/www/zeros"
http_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$http_port" --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 &
http_pid=$!
trap 'kill "$http_pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$http_port") 2>/dev/null && break; sleep 0.05; done
v=() q=()
for _ in $(seq "$runs"); do
  v+=("$(measure_rx vessel)")
  q+=("$(measure_rx qemu)")
done
report "host-to-guest TCP (wget)" "${v[*]}" "${q[*]}"
