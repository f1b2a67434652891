#!/usr/bin/env python3
"""What KSM saves on an idle fleet, and what it costs: N idle VMs of the shared guest under
vesseld, first without KSM, then under `vesseld --ksm PAGES`, in the same run. Reports the
fleet's RSS, KSM's sharing (pages_sharing: pages that point at a shared copy) and ksmd's CPU.
Host KSM settings are restored at the end. Usage: ksm.py BUILD_DIR [VMS] [PAGES_TO_SCAN]"""
import json, os, signal, socket, subprocess, sys, tempfile, time

build = os.path.abspath(sys.argv[1])
count = int(sys.argv[2]) if len(sys.argv) > 2 else 20
pages = sys.argv[3] if len(sys.argv) > 3 else "1000"
repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
guest = subprocess.check_output([os.path.join(repo, "scripts", "guest-dir.sh")], text=True).strip()
KSM = "/sys/kernel/mm/ksm/"
if not os.access(KSM + "run", os.W_OK):
    print("ksm: SKIPPED (no writable /sys/kernel/mm/ksm)")
    sys.exit(0)

def api(sock, method, path, body=None):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    data = json.dumps(body) if body is not None else ""
    s.sendall(f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(data)}\r\nConnection: close\r\n\r\n{data}".encode())
    out = b""
    while chunk := s.recv(65536):
        out += chunk
    return json.loads(out.split(b"\r\n\r\n", 1)[1] or b"null")

def read(name):
    with open(KSM + name) as f:
        return int(f.read())

def ksmd_cpu():
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().split()
                if fields[1] == "(ksmd)":
                    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
            except OSError:
                pass
    return 0.0

def fleet(extra):
    work = tempfile.mkdtemp(prefix="vessel-ksm-")
    sock = work + "/s.sock"
    d = subprocess.Popen([build + "/vesseld", "--socket", sock, "--state-dir", work + "/state",
                          "--log-file", work + "/log"] + extra)
    while not os.path.exists(sock):
        time.sleep(0.05)
    for i in range(count):
        api(sock, "POST", "/v1/vms", {"name": f"v{i}", "memory": "128M", "kernel": guest + "/Image",
                                      "initrd": guest + "/initramfs.cpio.gz", "cmdline": "console=ttyS0 quiet", "start": True})
    # Idle: every guest has booted and settled (their shells wait for input).
    while min(vm.get("uptime_seconds", 0) for vm in api(sock, "GET", "/v1/vms")["vms"]) < 20:
        time.sleep(1)
    return work, sock, d

def stop(work, sock, d):
    for vm in api(sock, "GET", "/v1/vms")["vms"]:
        api(sock, "POST", f"/v1/vms/{vm['name']}/kill")
    d.send_signal(signal.SIGTERM)
    d.wait()
    subprocess.run(["rm", "-rf", work])

def rss(sock):
    return sum(vm.get("rss_bytes", 0) for vm in api(sock, "GET", "/v1/vms")["vms"])

saved = {k: open(KSM + k).read().strip() for k in ("run", "pages_to_scan")}
try:
    work, sock, d = fleet([])
    plain = rss(sock)
    stop(work, sock, d)

    work, sock, d = fleet(["--ksm", pages])
    start_scans, cpu0, t0 = read("full_scans"), ksmd_cpu(), time.time()
    while read("full_scans") < start_scans + 2:  # two whole passes over every VM's RAM
        time.sleep(1)
    scan_s, scan_cpu = time.time() - t0, ksmd_cpu() - cpu0
    merged = rss(sock)
    sharing, shared = read("pages_sharing"), read("pages_shared")
    cpu1, t1 = ksmd_cpu(), time.time()
    time.sleep(30)  # steady state: what KSM costs while it keeps scanning an unchanged fleet
    steady = (ksmd_cpu() - cpu1) / (time.time() - t1)
    stop(work, sock, d)
finally:
    for k, v in saved.items():
        with open(KSM + k, "w") as f:
            f.write(v)

mib = 1 << 20
print(f"{count} idle VMs of 128 MiB (shared guest), vesseld without and with --ksm {pages}:")
print(f"  fleet RSS without KSM       {plain / mib:8.1f} MiB ({plain / mib / count:.1f} MiB per VM)")
print(f"  fleet RSS with KSM          {merged / mib:8.1f} MiB (RSS counts a shared page in every VM)")
# pages_sharing: the extra mappings of shared pages, i.e. the pages saved (kernel's admin-guide/mm/ksm).
print(f"  pages_shared {shared}, pages_sharing {sharing}: {sharing * 4096 / mib:.1f} MiB saved "
      f"({sharing * 4096 / mib / count:.1f} MiB per VM, {100 * sharing * 4096 / plain:.0f}% of the fleet's RSS)")
print(f"  two full scans took {scan_s:.0f} s and {scan_cpu:.1f} s of ksmd CPU ({100 * scan_cpu / scan_s:.0f}% of a core)")
print(f"  afterwards ksmd uses {100 * steady:.1f}% of a core")
