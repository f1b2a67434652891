#!/usr/bin/env python3
"""Boot a stock Debian trixie riscv64 system (guest/debian/build.sh) under Vessel and under QEMU
(`-machine virt`, Debian's qemu-system-misc) with the same kernel, initramfs, disk (a fresh qcow2
overlay each run), memory, harts and a user-mode NIC, alternating runs, and report per engine:

  login     wall time from start to the root shell on the serial console (the image logs root in
            where getty would print its login prompt)
  multi-user  systemd-analyze time's total: kernel + initrd + userspace until the default target
            (graphical.target, reached right after multi-user.target on this image): the guest's own
            view of boot
  poweroff  wall time from typing `poweroff` to the process exiting

usage: boot_bench.py VESSEL_BIN [--runs N] [--cpus 1,2] [--memory 1G]
"""
import argparse
import os
import re
import select
import statistics
import subprocess
import sys
import tempfile
import time

PROMPT = b"root@debian-vessel"


def image_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    recipe = os.path.join(here, "..", "..", "guest", "debian", "build.sh")
    if os.environ.get("VESSEL_DEBIAN_DIR"):
        return os.environ["VESSEL_DEBIAN_DIR"]
    if subprocess.call([recipe, "--check"]) != 0:
        sys.exit("boot_bench: no Debian image; build it with guest/debian/build.sh (or make debian-guest)")
    return subprocess.check_output([recipe, "--print-cache"], text=True).strip()


class Console:
    """A VMM process whose serial console is on pipes."""

    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.buf = b""
        self.cursor = 0

    def expect(self, pattern, timeout):
        deadline = time.monotonic() + timeout
        while True:
            m = re.compile(pattern).search(self.buf, self.cursor)
            if m:
                self.cursor = m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {pattern!r} within {timeout} s; last output:\n"
                                   + self.buf[-2000:].decode(errors="replace"))
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if r:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    raise TimeoutError("the VMM exited:\n" + self.buf[-2000:].decode(errors="replace"))
                self.buf += chunk

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def seconds(text):
    """systemd's time spans: '1min 2.345s', '812ms', '3.1s'."""
    total = 0.0
    for value, unit in re.findall(rb"([\d.]+)(min|ms|s)\b", text):
        total += float(value) * {b"min": 60, b"s": 1, b"ms": 0.001}[unit]
    return total


def one_boot(argv):
    con = Console(argv)
    try:
        t0 = time.monotonic()
        con.expect(PROMPT + rb".*# ", 900)
        login = time.monotonic() - t0
        con.send("systemctl is-system-running --wait; systemd-analyze time | tr -d '\\n'; echo ' BENCH-END'\n")
        m = con.expect(rb"Startup finished in (.*?) = .*?(?:multi-user|graphical)\.target reached after (.*?) in userspace"
                       rb".*?BENCH-END", 900)
        parts, userspace = m.group(1), m.group(2)
        kernel = seconds(re.search(rb"([^+]*) \(kernel\)", parts).group(1))
        initrd_m = re.search(rb"\+ ([^+]*) \(initrd\)", parts)
        initrd = seconds(initrd_m.group(1)) if initrd_m else 0.0
        multi_user = kernel + initrd + seconds(userspace)
        t1 = time.monotonic()
        con.send("poweroff\n")
        con.proc.wait(timeout=600)
        poweroff = time.monotonic() - t1
        return login, multi_user, poweroff
    finally:
        con.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("vessel")
    ap.add_argument("--runs", type=int, default=int(os.environ.get("RUNS", "3")))
    ap.add_argument("--cpus", default=os.environ.get("CPUS", "1,2"))
    ap.add_argument("--memory", default=os.environ.get("MEM", "1G"))
    args = ap.parse_args()
    img = image_dir()
    cmdline = open(os.path.join(img, "cmdline")).read().strip()
    kernel, initrd, disk = (os.path.join(img, f) for f in ("vmlinux", "initrd.img", "disk.img"))
    work = tempfile.mkdtemp(prefix="vessel-debian-bench-")
    overlay = os.path.join(work, "overlay.qcow2")

    def fresh_overlay():
        if os.path.exists(overlay):
            os.unlink(overlay)
        subprocess.check_call(["qemu-img", "create", "-q", "-f", "qcow2", "-b", disk, "-F", "raw", overlay])

    mem_mib = args.memory
    info = open(os.path.join(img, "BUILD-INFO")).read()
    version = re.search(r"^kernel=(.*)$", info, re.M)
    print(f"Debian trixie riscv64, kernel {version.group(1) if version else '?'}, memory {mem_mib}, "
          f"median of {args.runs} alternating runs")
    print(f"{'harts':>5} {'engine':<7} {'login s':>8} {'multi-user s':>13} {'poweroff s':>11}")
    try:
        for cpus in [int(c) for c in args.cpus.split(",")]:
            vessel_argv = [args.vessel, "run", "--memory", mem_mib, "--cpus", str(cpus), "--kernel", kernel,
                           "--initrd", initrd, "--append", cmdline, "--drive", f"file={overlay}", "--net", "user"]
            qemu_argv = ["qemu-system-riscv64", "-machine", "virt", "-nographic", "-m", mem_mib, "-smp", str(cpus),
                         "-kernel", kernel, "-initrd", initrd, "-append", cmdline,
                         "-drive", f"file={overlay},if=none,id=d0", "-device", "virtio-blk-device,drive=d0",
                         "-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0"]
            results = {"vessel": [], "qemu": []}
            for _ in range(args.runs):
                for name, argv in (("vessel", vessel_argv), ("qemu", qemu_argv)):
                    fresh_overlay()
                    results[name].append(one_boot(argv))
            med = {n: [statistics.median(col) for col in zip(*r)] for n, r in results.items()}
            for name in ("vessel", "qemu"):
                login, mu, off = med[name]
                print(f"{cpus:>5} {name:<7} {login:>8.1f} {mu:>13.1f} {off:>11.1f}")
            print(f"{cpus:>5} {'ratio':<7} {med['vessel'][0] / med['qemu'][0]:>8.2f} "
                  f"{med['vessel'][1] / med['qemu'][1]:>13.2f} {med['vessel'][2] / med['qemu'][2]:>11.2f}"
                  "   (vessel time / qemu time)")
    finally:
        subprocess.call(["rm", "-rf", work])


if __name__ == "__main__":
    main()
