#!/usr/bin/env bash
# vsock throughput against TCP over user networking, both directions, same VMM, same guest,
# same run (QEMU's vsock needs the host's vhost-vsock, which a software VMM's host may not
# have, so the reference is the other channel a guest has to its host).
# The guest side is one program for both channels (vsock_stream.c).
#   guest to host: the guest sends MB MiB (to CID 2 / to 10.0.2.2); a host listener (the VM's
#                  vsock socket's PATH_PORT / 127.0.0.1) times first to last byte.
#   host to guest: the host sends MB MiB (CONNECT PORT through the vsock socket / hostfwd); the
#                  guest times first to last byte.
# Alternating runs, median, ratio vsock/tcp.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
vessel=${1:?usage: run.sh VESSEL_BIN VSOCK_STREAM_RISCV64 [GUEST_DIR]}
peer=${2:?usage: run.sh VESSEL_BIN VSOCK_STREAM_RISCV64 [GUEST_DIR]}
guest=${3:-$("$(dirname "$0")/../../scripts/guest-dir.sh")}
runs=${RUNS:-3}
mb=${MB:-64}
mem=${MEM:-256M}

work=$(mktemp -d)
vm_pid=
cleanup() {
  [ -n "$vm_pid" ] && kill "$vm_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

root=$work/root
guest_root "$guest" "$root"
cp "$peer" "$root/bin/vsock_stream"
cat >"$root/etc/run/vsbench.sh" <<'SCRIPT'
#!/bin/sh
arg() { sed -n "s/.*$1=\([0-9a-z]*\).*/\1/p" /proc/cmdline; }
mb=$(arg vsb_mb)
case "$(arg vsb_mode)" in
  vsocktx) vsock_stream vsock send 5000 "$mb" ;;
  vsockrx) vsock_stream vsock recv 5000 ;;
  tcptx)
    udhcpc -i eth0 -n -q -t 10 -T 2 >/dev/null 2>&1 || exit 1
    vsock_stream tcp send "$(arg vsb_port)" "$mb" ;;
  tcprx)
    udhcpc -i eth0 -n -q -t 10 -T 2 >/dev/null 2>&1 || exit 1
    vsock_stream tcp recv 5000 ;;
esac
exit 0
SCRIPT
chmod +x "$root/etc/run/vsbench.sh"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$work/initramfs.cpio.gz"

# Host listener: one connection (Unix socket path or TCP port file), bytes to EOF, MB/s from
# the first byte to the last.
sink() {  # $1 = unix|tcp, $2 = path (unix) or port file (tcp)
  python3 - "$1" "$2" <<'PY'
import os, socket, sys, time
kind, where = sys.argv[1], sys.argv[2]
if kind == "unix":
    s = socket.socket(socket.AF_UNIX); s.bind(where)
else:
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 0))
    open(where + ".tmp", "w").write(str(s.getsockname()[1])); os.rename(where + ".tmp", where)
s.listen(1); s.settimeout(600)
c, _ = s.accept(); c.settimeout(120)
n = 0; first = None
while True:
    d = c.recv(1 << 20)
    if not d: break
    if first is None: first = time.monotonic()
    n += len(d)
print("%d %.2f" % (n, n / (time.monotonic() - first) / 1e6))
PY
}

# Host sender: waits for the guest's listener (its console line), then streams MB MiB.
source() {  # $1 = unix|tcp, $2 = vsock socket path or TCP port, $3 = console file
  python3 - "$1" "$2" "$3" "$mb" <<'PY'
import socket, sys, time
kind, where, console, mb = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
deadline = time.monotonic() + 300
while b"vsock-recv listening" not in open(console, "rb").read():
    if time.monotonic() > deadline: sys.exit("the guest never listened")
    time.sleep(0.05)  # polling a file another process writes
if kind == "unix":
    s = socket.socket(socket.AF_UNIX); s.connect(where)
    s.sendall(b"CONNECT 5000\n")
    line = b""
    while not line.endswith(b"\n"): line += s.recv(1)
    assert line.startswith(b"OK "), line
else:
    s = socket.create_connection(("127.0.0.1", int(where)))
chunk = bytes(1 << 20)
for _ in range(mb): s.sendall(chunk)
s.shutdown(socket.SHUT_WR)
s.recv(1)  # until the guest closes
PY
}

run_vm() {  # $1 = mode, $2 = console file, extra vessel args...
  local mode=$1 console=$2
  shift 2
  "$vessel" run --kernel "$guest/Image" --initrd "$work/initramfs.cpio.gz" --memory "$mem" \
    --append "console=ttyS0 quiet run=vsbench vsb_mode=$mode vsb_mb=$mb ${VSB_PORT:+vsb_port=$VSB_PORT}" "$@" \
    </dev/null >"$console" 2>&1 &
  vm_pid=$!
}

measure() {  # $1 = vsocktx|vsockrx|tcptx|tcprx; prints MB/s
  local mode=$1 console=$work/console rate= uds=$work/vsock
  rm -f "$uds" "${uds}_5000" "$work/port"
  case "$mode" in
    vsocktx)
      sink unix "${uds}_5000" >"$work/result" &
      local sp=$!
      run_vm "$mode" "$console" --vsock "cid=3,uds=$uds"
      wait "$sp"
      rate=$(awk -v want=$((mb << 20)) '$1 == want {print $2}' "$work/result") ;;
    tcptx)
      sink tcp "$work/port" >"$work/result" &
      local sp=$!
      for _ in $(seq 200); do [ -s "$work/port" ] && break; sleep 0.05; done
      VSB_PORT=$(cat "$work/port") run_vm "$mode" "$console" --net user
      wait "$sp"
      rate=$(awk -v want=$((mb << 20)) '$1 == want {print $2}' "$work/result") ;;
    vsockrx)
      run_vm "$mode" "$console" --vsock "cid=3,uds=$uds"
      source unix "$uds" "$console"
      wait "$vm_pid" || true ;;
    tcprx)
      local hp
      hp=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
      run_vm "$mode" "$console" --net "user,hostfwd=tcp:127.0.0.1:$hp-:5000"
      source tcp "$hp" "$console"
      wait "$vm_pid" || true ;;
  esac
  wait "$vm_pid" 2>/dev/null || true
  vm_pid=
  if [ -z "$rate" ]; then
    rate=$(sed -n "s/.*vsock-recv bytes=$((mb << 20)) rate=\([0-9.]*\).*/\1/p" "$console")
  fi
  [ -n "$rate" ] || { echo "$mode: not every byte arrived; console:" >&2; tail -5 "$console" >&2; exit 1; }
  echo "$rate"
}

printf 'vsock against TCP over user networking (%d MiB, median of %d)\n' "$mb" "$runs"
for dir in tx rx; do
  v=() t=()
  for _ in $(seq "$runs"); do
    v+=("$(measure vsock$dir)")
    t+=("$(measure tcp$dir)")
  done
  vm_=$(printf '%s\n' "${v[@]}" | median)
  tm=$(printf '%s\n' "${t[@]}" | median)
  label=$([ "$dir" = tx ] && echo "guest to host" || echo "host to guest")
  printf '  %s: vsock %.1f MB/s (runs: %s), tcp %.1f MB/s (runs: %s), ratio vsock/tcp %.2f\n' \
    "$label" "$vm_" "${v[*]}" "$tm" "${t[*]}" "$(echo "$vm_ / $tm" | bc -l)"
done
