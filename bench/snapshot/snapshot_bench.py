"""Measures snapshot and restore of a booted guest (run by bench/snapshot/run.sh).

restore-to-running: from starting `vessel run --restore FILE` until the VM answers on its
control socket as running (state restored, vCPUs started), and until the guest's counting loop
prints its next line. The reference is a cold boot of the same guest to its shell prompt."""
import json, os, select, shutil, socket, statistics, subprocess, sys, tempfile, time

vessel, guest, runs, mem = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
work = tempfile.mkdtemp(prefix="vessel-snapbench-")
sock, snap = os.path.join(work, "c.sock"), os.path.join(work, "vm.snap")


def control(req):
    try:
        s = socket.socket(socket.AF_UNIX)
        s.connect(sock)
    except OSError:
        return None
    s.sendall((json.dumps(req) + "\n").encode())
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    s.close()
    return json.loads(buf) if buf else None


def wait_output(p, text, timeout):
    out, end = b"", time.monotonic() + timeout
    while time.monotonic() < end:
        r, _, _ = select.select([p.stdout], [], [], 0.05)
        if r:
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                break
            out += chunk
            if text in out:
                return time.monotonic()
    raise SystemExit("timed out waiting for %r" % text)


def stop(p):
    control({"op": "stop"})
    p.wait(30)


boot = [vessel, "run", "--kernel", guest + "/Image", "--initrd", guest + "/initramfs.cpio.gz",
        "--append", "console=ttyS0 quiet", "--memory", mem, "--control", sock]

# Reference: cold boot to the shell, and the snapshot source (a guest counting in a loop).
cold = []
for i in range(runs):
    t0 = time.monotonic()
    p = subprocess.Popen(boot, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    cold.append(wait_output(p, b"VESSEL-GUEST-READY", 300) - t0)
    if i < runs - 1:
        stop(p)
p.stdin.write(b"i=0; while true; do echo C$i; i=$((i+1)); usleep 2000; done\n")
p.stdin.flush()
wait_output(p, b"C50\r\n", 60)
results = {}
for mode in ("stored", "zstd"):
    path = snap + "." + mode
    times, sizes, held = [], [], []
    for _ in range(runs):
        t0 = time.monotonic()
        r = control({"op": "snapshot", "path": path, "compress": mode == "zstd"})
        times.append(time.monotonic() - t0)
        assert r and r["ok"], r
        sizes.append(r["bytes"])
        held.append(r["pause_seconds"])
    results[mode] = {"snap": times, "held": held, "size": statistics.median(sizes), "pages": r["memory_pages"], "path": path}
stop(p)

for mode, res in results.items():
    to_vm, to_output = [], []
    for _ in range(runs):
        t0 = time.monotonic()
        p = subprocess.Popen([vessel, "run", "--restore", res["path"], "--control", sock],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        while True:
            r = control({"op": "status"})
            if r and r.get("ok"):
                break
            time.sleep(0.0005)
        to_vm.append(time.monotonic() - t0)
        to_output.append(wait_output(p, b"C", 30) - t0)
        stop(p)
    res["vm"], res["out"] = to_vm, to_output

# The floor: starting the binary and refusing a missing file.
floor = []
for _ in range(runs):
    t0 = time.monotonic()
    subprocess.run([vessel, "run", "--restore", os.path.join(work, "missing")], capture_output=True)
    floor.append(time.monotonic() - t0)
shutil.rmtree(work)

ms = lambda xs: statistics.median(xs) * 1000
print("snapshot and restore (%s guest, a counting loop running; median of %d)" % (mem, runs))
for mode, res in results.items():
    print("  %s memory: snapshot %.1f ms (guest paused %.1f ms), %.1f MiB (%d non-zero pages = %.1f MiB of guest memory)"
          % (mode, ms(res["snap"]), ms(res["held"]), res["size"] / 2**20, res["pages"], res["pages"] * 4096 / 2**20))
    print("    restore to running (control socket answers): %.1f ms; to the guest's next console line: %.1f ms"
          % (ms(res["vm"]), ms(res["out"])))
print("  process start floor (vessel run refusing a missing file): %.1f ms" % ms(floor))
print("  reference, cold boot to shell: %.1f ms; ratio restore/boot: %.3f"
      % (ms(cold), ms(results["stored"]["vm"]) / ms(cold)))
