"""Jailed against unjailed VMMs under one vesseld, in the same run. See run.sh."""
import http.client, json, os, signal, socket, statistics, subprocess, sys, tempfile, time

build, guest, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
KERNEL, INITRD = f"{guest}/Image", f"{guest}/initramfs.cpio.gz"


class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path, timeout=300):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def api(sock, method, path, body=None):
    c = UnixHTTP(sock)
    c.request(method, path, body=json.dumps(body) if body is not None else None,
              headers={"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, (json.loads(data) if data else None)


class Console:
    def __init__(self, sock, name):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(sock)
        self.s.sendall(f"GET /v1/vms/{name}/console HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
                       "Upgrade: vessel-console\r\n\r\n".encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self.buf += self.s.recv(4096)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head
        self.cursor = 0

    def expect(self, text, timeout=180):
        deadline, t = time.monotonic() + timeout, text.encode()
        while True:
            i = self.buf.find(t, self.cursor)
            if i >= 0:
                self.cursor = i + len(t)
                return self.buf[:i].decode(errors="replace")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {text!r} on the console")
            self.s.settimeout(left)
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("console closed")
            self.buf += chunk

    def send(self, text):
        self.s.sendall(text.encode())


def main():
    work = tempfile.mkdtemp(prefix="vessel-sandbox-bench-")
    os.chmod(work, 0o755)
    sock = f"{work}/api.sock"
    log = open(f"{work}/vesseld.log", "w")
    daemon = subprocess.Popen([f"{build}/vesseld", "--socket", sock, "--state-dir", f"{work}/state"],
                              stdout=log, stderr=log)
    pids = []
    try:
        for _ in range(500):
            if os.path.exists(sock):
                break
            time.sleep(0.01)
        results = {True: {"boot": [], "create": [], "restore": [], "write": [], "read": []},
                   False: {"boot": [], "create": [], "restore": [], "write": [], "read": []}}
        for r in range(runs):
            for jailed in ([True, False] if r % 2 == 0 else [False, True]):
                tag = f"{'j' if jailed else 'u'}{r}"
                disk = f"{work}/{tag}.raw"
                with open(disk, "wb") as f:
                    f.truncate(600 << 20)
                body = {"name": tag, "memory": "128M", "kernel": KERNEL, "initrd": INITRD,
                        "cmdline": "console=ttyS0 quiet", "drives": [{"file": disk, "format": "raw"}],
                        "sandbox": jailed}
                assert api(sock, "POST", "/v1/vms", body)[0] == 201
                t0 = time.monotonic()
                st, vm = api(sock, "POST", f"/v1/vms/{tag}/start")
                t_running = time.monotonic()
                if isinstance(vm, dict) and "pid" in vm:
                    pids.append(vm["pid"])
                assert st == 200, vm
                assert vm.get("sandbox") == jailed, vm
                con = Console(sock, tag)
                con.expect("VESSEL-GUEST-READY")
                t_ready = time.monotonic()
                results[jailed]["create"].append(t_running - t0)
                results[jailed]["boot"].append(t_ready - t0)
                con.send("now() { cut -d' ' -f1 /proc/uptime; }; t0=$(now); "
                         "dd if=/dev/zero of=/dev/vda bs=1M count=512 oflag=direct 2>/dev/null; sync; t1=$(now); "
                         "dd if=/dev/vda of=/dev/null bs=1M count=512 iflag=direct 2>/dev/null; t2=$(now); "
                         "echo W=$(echo $t1 $t0 | awk '{print $1-$2}') R=$(echo $t2 $t1 | awk '{print $1-$2}') END$((1+1))\n")
                out = con.expect(" END2")
                line = out[out.rfind("W="):]
                w = float(line.split("W=")[1].split()[0])
                rd = float(line.split("R=")[1].split()[0])
                results[jailed]["write"].append(512 / w if w > 0 else 0)
                results[jailed]["read"].append(512 / rd if rd > 0 else 0)
                snap = f"{work}/{tag}.snap"
                st, s = api(sock, "POST", f"/v1/vms/{tag}/snapshot", {"path": snap})
                assert st == 200, s
                api(sock, "POST", f"/v1/vms/{tag}/kill")
                t1 = time.monotonic()
                st, rvm = api(sock, "POST", "/v1/vms", {"name": f"{tag}r", "snapshot": snap, "sandbox": jailed,
                                                        "start": True})
                t_restored = time.monotonic()
                if isinstance(rvm, dict) and "pid" in rvm:
                    pids.append(rvm["pid"])
                assert st in (200, 201), rvm
                assert rvm.get("sandbox") == jailed, rvm
                results[jailed]["restore"].append(t_restored - t1)
                api(sock, "POST", f"/v1/vms/{tag}r/kill")
                for n in (tag, tag + "r"):
                    api(sock, "DELETE", f"/v1/vms/{n}")
                os.unlink(snap)
                os.unlink(disk)
                print(f"run {r} {'jailed' if jailed else 'unjailed'}: boot {t_ready - t0:.3f} s, "
                      f"create-to-running {t_running - t0:.3f} s, restore-to-running {t_restored - t1:.3f} s, "
                      f"disk write {results[jailed]['write'][-1]:.1f} MiB/s read {results[jailed]['read'][-1]:.1f} MiB/s",
                      flush=True)
        print()
        print(f"{'median of ' + str(runs):<28} {'jailed':>10} {'unjailed':>10} {'jailed/unjailed':>16}")
        for key, label, unit in (("boot", "boot to shell", "s"), ("create", "create-to-running", "s"),
                                 ("restore", "restore-to-running", "s"), ("write", "guest disk write", "MiB/s"),
                                 ("read", "guest disk read", "MiB/s")):
            j, u = statistics.median(results[True][key]), statistics.median(results[False][key])
            print(f"{label + ' (' + unit + ')':<28} {j:>10.3f} {u:>10.3f} {j / u:>16.3f}")
    finally:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(30)
        subprocess.run(["rm", "-rf", work])


main()
