"""What the migration benches share: the test guest's initramfs with one run script added,
and waiting for a process's console to print something."""
import gzip, os, select, time


def cpio(entries):
    out = b""
    for ino, (path, mode, data) in enumerate(entries + [("TRAILER!!!", 0, b"")], 1):
        name = path.encode() + b"\0"
        hdr = "070701" + "".join("%08X" % v for v in (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name), 0))
        out += hdr.encode() + name
        out += b"\0" * (-len(out) % 4) + data
        out += b"\0" * (-len(out) % 4)
    return out


def initrd_with_script(guest, work, name, script):
    """work/initramfs.cpio.gz: the guest's initramfs with /etc/run/NAME.sh (init runs it for
    run=NAME); a second gzip member laid before it adds the file."""
    initrd = os.path.join(work, "initramfs.cpio.gz")
    with open(guest + "/initramfs.cpio.gz", "rb") as f:
        base = f.read()
    with open(initrd, "wb") as f:
        f.write(gzip.compress(cpio([("etc", 0o40755, b""), ("etc/run", 0o40755, b""),
                                    ("etc/run/%s.sh" % name, 0o100755, script.encode())])) + base)
    return initrd


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
