"""Live migration with disk copy (run: python3 bench/migration/disk_copy.py build/vessel GUEST_DIR).

A 256 MiB guest with a 256 MiB raw disk full of random data (every block must travel: the
worst case for the copy) migrates with "migrate_disks" to a second `vessel run --incoming
--migrate-disks-to DIR` over a Unix socket, once with the guest idle and once while it
rewrites its disk with direct I/O at about 8 MiB/s (128 KiB blocks scattered over the disk,
8 of them every 1/8 s). Reported as the source VMM measures it:
total time, downtime, rounds, disk bytes sent, blocks sent during the pause. One run each."""
import gzip, json, os, select, shutil, socket, subprocess, sys, tempfile, time

vessel, guest = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp(prefix="vessel-diskbench-")

SCRIPT = r"""
rate=$(sed -n 's/.*disk_mib=\([0-9]*\).*/\1/p' /proc/cmdline)
head -c 131072 /dev/urandom > /tmp/one
i=0
while true; do
  if [ "$rate" -gt 0 ]; then
    for k in $(seq $rate); do dd if=/tmp/one of=/dev/vda bs=128k count=1 seek=$(( (i * 61 + k * 7) % 2048 )) oflag=direct conv=notrunc 2>/dev/null; done
  fi
  echo T$i
  i=$((i+1))
  usleep 125000
done
"""


def cpio(entries):
    out = b""
    for ino, (path, mode, data) in enumerate(entries + [("TRAILER!!!", 0, b"")], 1):
        name = path.encode() + b"\0"
        hdr = "070701" + "".join("%08X" % v for v in (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name), 0))
        out += hdr.encode() + name
        out += b"\0" * (-len(out) % 4) + data
        out += b"\0" * (-len(out) % 4)
    return out


initrd = os.path.join(work, "initramfs.cpio.gz")
with open(guest + "/initramfs.cpio.gz", "rb") as f:
    base = f.read()
with open(initrd, "wb") as f:
    f.write(gzip.compress(cpio([("etc", 0o40755, b""), ("etc/run", 0o40755, b""),
                                ("etc/run/disk.sh", 0o100755, SCRIPT.encode())])) + base)


def rpc(path, req):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    f = s.makefile("rwb")
    f.write((json.dumps(req) + "\n").encode()); f.flush()
    line = json.loads(f.readline())
    s.close()
    return line


def wait_for(p, text, timeout=300):
    out, end = b"", time.monotonic() + timeout
    while time.monotonic() < end:
        if select.select([p.stdout], [], [], 0.05)[0]:
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                break
            out += chunk
            if text in out:
                return
    raise SystemExit("timed out waiting for %r: %r" % (text, out[-500:]))


def run(rate):
    d = tempfile.mkdtemp(dir=work)
    os.mkdir(d + "/dst")
    disk = d + "/disk.raw"
    with open(disk, "wb") as f:
        for _ in range(256):
            f.write(os.urandom(1 << 20))
        os.fsync(f.fileno())
    ctl0, ctl1, inc = d + "/c0", d + "/c1", d + "/in"
    src = subprocess.Popen([vessel, "run", "--kernel", guest + "/Image", "--initrd", initrd, "--append",
                            "console=ttyS0 quiet run=disk disk_mib=%d" % rate, "--memory", "256M",
                            "--control", ctl0, "--drive", "file=" + disk + ",format=raw"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    wait_for(src, b"T2\r\n")
    dst = subprocess.Popen([vessel, "run", "--incoming", "unix:" + inc, "--control", ctl1,
                            "--migrate-disks-to", d + "/dst"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    wait_for(dst, b"waiting for an incoming migration")
    assert rpc(ctl0, {"op": "migrate", "to": "unix:" + inc, "migrate_disks": True})["ok"]
    while True:
        s = rpc(ctl0, {"op": "migrate-status"})
        if s["phase"] in ("completed", "failed"):
            break
        time.sleep(0.05)  # polling the report
    assert s["phase"] == "completed", s
    wait_for(dst, b"T", 60)  # the guest goes on there
    rpc(ctl1, {"op": "stop"})
    for p in (src, dst):
        p.wait(60)
    return s


print("| guest writing | total ms | downtime ms | rounds | disk MiB sent | blocks in the pause |")
print("|---|---:|---:|---:|---:|---:|")
for rate in (0, 8):
    s = run(rate)
    print("| %s | %.0f | %.1f | %d | %.1f | %d |" % ("idle" if rate == 0 else "%d MiB/s" % rate, s["total_ms"],
          s["downtime_ms"], s["rounds"], s["disk_bytes_sent"] / 2**20, s["disk_blocks_last"]))
    sys.stdout.flush()
shutil.rmtree(work)
