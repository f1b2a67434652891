"""Live migration, Vessel against QEMU 7.2 (run by bench/migration/run.sh).

The same guest (the test guest with a script that rewrites part of a 64 MiB tmpfs file at a
set rate, from non-zero data), the same memory, the same downtime limit, on this machine:
the source runs until the workload prints its first ticks, then migrates to a second process
of the same VMM over a Unix socket. Reported: total migration time and downtime as each VMM
measures them (Vessel's migrate-status, QEMU's query-migrate), median of RUNS."""
import json, os, shutil, socket, statistics, subprocess, sys, tempfile, time

from guest_kit import initrd_with_script, wait_for

vessel, guest, runs, mem, downtime = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
work = tempfile.mkdtemp(prefix="vessel-migbench-")
QEMU = shutil.which("qemu-system-riscv64")

# Every tick (1/8 s) copies rate/8 MiB of non-zero data over a 64 MiB file in tmpfs.
SCRIPT = r"""
rate=$(sed -n 's/.*dirty_mib=\([0-9]*\).*/\1/p' /proc/cmdline)
head -c 1048576 /dev/urandom > /tmp/one
for k in $(seq 16); do cat /tmp/one; done > /tmp/src
n=$((rate / 8)); i=0
while true; do
  if [ "$n" -gt 0 ]; then dd if=/tmp/src of=/tmp/buf bs=1M count=$n seek=$(( (i * n) % 64 )) conv=notrunc 2>/dev/null; fi
  echo T$i
  i=$((i+1))
  usleep 125000
done
"""


initrd = initrd_with_script(guest, work, "dirty", SCRIPT)


def rpc(path, req, qmp=False):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    f = s.makefile("rwb")
    def answer():  # skips QMP events
        while True:
            line = json.loads(f.readline())
            if not qmp or "return" in line or "error" in line:
                return line
    if qmp:
        f.readline()  # greeting
        f.write(b'{"execute":"qmp_capabilities"}\n'); f.flush(); answer()
    f.write((json.dumps(req) + "\n").encode()); f.flush()
    line = answer()
    s.close()
    return line


def wait_path(path, timeout=60):
    end = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > end:
            raise SystemExit("no " + path)
        time.sleep(0.01)


def append(rate):
    return "console=ttyS0 quiet run=dirty dirty_mib=%d" % rate


def vessel_once(rate):
    a, b, inc = (os.path.join(work, n) for n in ("a.sock", "b.sock", "in.sock"))
    src = subprocess.Popen([vessel, "run", "--kernel", guest + "/Image", "--initrd", initrd, "--append", append(rate),
                            "--memory", mem, "--control", a], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    dst = subprocess.Popen([vessel, "run", "--incoming", "unix:" + inc, "--control", b],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    wait_for(src, b"T8\r\n")
    wait_path(inc)
    r = rpc(a, {"op": "migrate", "to": "unix:" + inc, "downtime_ms": downtime})
    assert r["ok"], r
    while True:
        s = rpc(a, {"op": "migrate-status"})
        if s.get("phase") in ("completed", "failed"):
            break
        time.sleep(0.01)
    assert s["phase"] == "completed", s
    wait_for(dst, b"\r\nT")
    rpc(b, {"op": "stop"})
    dst.wait(30)
    src.wait(30)
    return s["total_ms"], s["downtime_ms"], s["rounds"], "yes"


def qemu_once(rate):
    qa, qb, inc = (os.path.join(work, n) for n in ("qa.sock", "qb.sock", "qin.sock"))
    common = [QEMU, "-machine", "virt", "-m", mem, "-smp", "1", "-nographic", "-kernel", guest + "/Image",
              "-initrd", initrd, "-append", append(rate),
              # as Vessel's VMs have one (the workload reads /dev/urandom, which waits for entropy)
              "-device", "virtio-rng-device"]
    src = subprocess.Popen(common + ["-qmp", "unix:%s,server=on,wait=off" % qa],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    dst = subprocess.Popen(common + ["-qmp", "unix:%s,server=on,wait=off" % qb, "-incoming", "unix:" + inc],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    wait_for(src, b"T8\r\n")
    wait_path(inc)
    wait_path(qa)
    rpc(qa, {"execute": "migrate-set-parameters",
             "arguments": {"downtime-limit": downtime, "max-bandwidth": 10 << 30}}, qmp=True)
    r = rpc(qa, {"execute": "migrate", "arguments": {"uri": "unix:" + inc}}, qmp=True)
    assert "return" in r, r
    while True:
        s = rpc(qa, {"execute": "query-migrate"}, qmp=True)["return"]
        if s.get("status") in ("completed", "failed"):
            break
        time.sleep(0.01)
    assert s["status"] == "completed", s
    state = rpc(qb, {"execute": "query-status"}, qmp=True)["return"]["status"]
    try:  # whether the guest goes on printing on the destination (reported, not required)
        wait_for(dst, b"\r\nT", 10)
        resumed = "yes"
    except SystemExit:
        resumed = "no (%s)" % state
    for p in (src, dst):
        p.kill()
        p.wait(30)
    return s["total-time"], s["downtime"], s.get("ram", {}).get("dirty-sync-count", 0), resumed


print("live migration of a %s guest, downtime limit %d ms, median of %d runs" % (mem, downtime, runs))
print("%-10s %-9s %10s %12s %7s  %s" % ("dirtying", "VMM", "total ms", "downtime ms", "rounds", "guest runs on"))
for rate in (0, 32, 128):
    for name, fn in (("vessel", vessel_once), ("qemu-7.2", qemu_once)):
        if name.startswith("qemu") and not QEMU:
            continue
        res = [fn(rate) for _ in range(runs)]
        print("%-10s %-9s %10.1f %12.1f %7d  %s" % ("%d MiB/s" % rate if rate else "idle", name,
                                                    statistics.median(r[0] for r in res),
                                                    statistics.median(r[1] for r in res),
                                                    statistics.median(r[2] for r in res),
                                                    ", ".join(sorted(set(r[3] for r in res)))), flush=True)
shutil.rmtree(work, ignore_errors=True)
