"""Live migration with disk copy (run: python3 bench/migration/disk_copy.py build/vessel GUEST_DIR).

A 256 MiB guest with a 256 MiB raw disk full of random data (every block must travel: the
worst case for the copy) migrates with "migrate_disks" to a second `vessel run --incoming
--migrate-disks-to DIR` over a Unix socket, once with the guest idle and once while it
rewrites its disk with direct I/O at about 8 MiB/s (128 KiB blocks scattered over the disk,
8 of them every 1/8 s). Reported as the source VMM measures it:
total time, downtime, rounds, disk bytes sent, blocks sent during the pause. One run each."""
import json, os, shutil, socket, subprocess, sys, tempfile, time

from guest_kit import initrd_with_script, wait_for

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


initrd = initrd_with_script(guest, work, "disk", SCRIPT)


def rpc(path, req):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    f = s.makefile("rwb")
    f.write((json.dumps(req) + "\n").encode()); f.flush()
    line = json.loads(f.readline())
    s.close()
    return line


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
