"""vesseld benchmarks: create-to-running, idle overhead, density. See run.sh."""
import http.client, json, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

build, guest, target_vms, wave, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
KERNEL, INITRD = f"{guest}/Image", f"{guest}/initramfs.cpio.gz"
CLK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


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
    return r.status, json.loads(data) if data and r.getheader("Content-Type", "").startswith("application/json") else data


class Console:
    """Console attach through vesseld (HTTP Upgrade), to wait for output and type."""
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

    def expect(self, text, timeout):
        deadline = time.monotonic() + timeout
        t = text.encode()
        while True:
            i = self.buf.find(t, self.cursor)
            if i >= 0:
                self.cursor = i + len(t)
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.s.settimeout(left)
            try:
                chunk = self.s.recv(65536)
            except socket.timeout:
                return False
            if not chunk:
                return False
            self.buf += chunk

    def send(self, text):
        self.s.sendall(text.encode())

    def close(self):
        self.s.close()


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK
    except OSError:
        return 0.0


def smaps_figures(pid, guest_bytes):
    """RSS, private (unshared) memory, and the RSS of the guest RAM mapping (touched guest pages)."""
    total = private = guest = 0
    size_kb = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            if parts[0] == "Size:":
                size_kb = int(parts[1])
            elif parts[0] == "Rss:":
                total += int(parts[1])
                if size_kb is not None and size_kb * 1024 >= guest_bytes:  # may be merged with a neighbour
                    guest += int(parts[1])
            elif parts[0] in ("Private_Clean:", "Private_Dirty:"):
                private += int(parts[1])
    return total * 1024, private * 1024, guest * 1024


def rss_and_guest_rss(pid, guest_bytes):
    total, _, guest = smaps_figures(pid, guest_bytes)
    return total, guest


ENGINE = os.environ.get("ENGINE", "")


def vm_body(name, mem="128M"):
    body = {"name": name, "memory": mem, "kernel": KERNEL, "initrd": INITRD, "cmdline": "console=ttyS0 quiet"}
    if ENGINE:
        body["engine"] = ENGINE
    return body


def main():
    tmp = tempfile.mkdtemp(prefix="vessel-mgr-bench-")
    sock = f"{tmp}/vessel.sock"
    daemon = subprocess.Popen([f"{build}/vesseld", "--socket", sock, "--state-dir", f"{tmp}/state",
                               "--log-file", f"{tmp}/vesseld.log"])
    pids = set()
    try:
        deadline = time.monotonic() + 20
        while not os.path.exists(sock):
            assert time.monotonic() < deadline and daemon.poll() is None, "vesseld did not start"
            time.sleep(0.01)

        # 1. Create-to-running, against a plain `vessel run` to the same point (same run).
        ref, to_running, to_shell = [], [], []
        for i in range(runs):
            t0 = time.monotonic()
            p = subprocess.Popen([f"{build}/vessel", "run", "--kernel", KERNEL, "--initrd", INITRD, "--memory", "128M",
                                  "--append", "console=ttyS0 quiet"] + (["--engine", ENGINE] if ENGINE else []), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL)
            out = b""
            while b"VESSEL-GUEST-READY" not in out:
                chunk = os.read(p.stdout.fileno(), 65536)
                if not chunk:
                    break
                out += chunk
            ref.append(time.monotonic() - t0)
            p.kill()
            p.wait()
            name = f"ttr{i}"
            t0 = time.monotonic()
            st, vm = api(sock, "POST", "/v1/vms", vm_body(name))
            assert st == 201, vm
            st, vm = api(sock, "POST", f"/v1/vms/{name}/start")
            assert st == 200, vm
            to_running.append(time.monotonic() - t0)
            pids.add(vm["pid"])
            c = Console(sock, name)
            assert c.expect("VESSEL-GUEST-READY", 120)
            to_shell.append(time.monotonic() - t0)
            c.close()
            api(sock, "POST", f"/v1/vms/{name}/kill")
            api(sock, "DELETE", f"/v1/vms/{name}")
        print(f"create-to-running (API create + start returns, VMM answering; median of {runs}): "
              f"{statistics.median(to_running) * 1000:.1f} ms")
        print(f"create-to-shell (guest userspace ready, through vesseld): {statistics.median(to_shell) * 1000:.0f} ms; "
              f"plain `vessel run` to the same point: {statistics.median(ref) * 1000:.0f} ms "
              f"(ratio {statistics.median(to_shell) / statistics.median(ref):.2f})")

        # Snapshot-restore-to-running through the API: a 256 MiB guest at its shell prompt.
        st, vm = api(sock, "POST", "/v1/vms", dict(vm_body("snapsrc", "256M"), start=True))
        assert st == 201, vm
        pids.add(vm["pid"])
        c = Console(sock, "snapsrc")
        assert c.expect("VESSEL-GUEST-READY", 120)
        c.close()
        snap = f"{tmp}/snapsrc.snap"
        st, r = api(sock, "POST", "/v1/vms/snapsrc/snapshot", {"path": snap})
        if st != 200:
            print(f"snapshot refused: {r}")
        else:
            restore = []
            for i in range(runs):
                t0 = time.monotonic()
                st, vm = api(sock, "POST", f"/v1/vms/rst{i}/restore", {"path": snap})
                restore.append(time.monotonic() - t0)
                assert st == 201, vm
                pids.add(vm["pid"])
                api(sock, "POST", f"/v1/vms/rst{i}/kill")
                api(sock, "DELETE", f"/v1/vms/rst{i}")
            print(f"snapshot-restore-to-running, 256 MiB guest at its prompt (POST .../restore until the VMM answers; "
                  f"snapshot {r.get('size_bytes', 0) / 2**20:.1f} MiB written in {r['seconds'] * 1000:.0f} ms): "
                  f"median {statistics.median(restore) * 1000:.1f} ms of {runs} "
                  f"(ratio to create-to-running {statistics.median(restore) / statistics.median(to_running):.2f})")
        api(sock, "POST", "/v1/vms/snapsrc/kill")
        api(sock, "DELETE", "/v1/vms/snapsrc")

        # 2. Density: idle 128 MiB VMs started in waves; each wave waits for its shells.
        names = []
        t_start = time.monotonic()
        reached = 0
        for w in range(0, target_vms, wave):
            batch = [f"idle{i:03d}" for i in range(w, min(w + wave, target_vms))]
            consoles = {}
            for n in batch:
                st, vm = api(sock, "POST", "/v1/vms", vm_body(n))
                assert st == 201, vm
                st, vm = api(sock, "POST", f"/v1/vms/{n}/start")
                if st != 200:
                    print(f"start of {n} failed: {vm}")
                    break
                pids.add(vm["pid"])
                consoles[n] = Console(sock, n)
            ok = all(c.expect("VESSEL-GUEST-READY", 300) for c in consoles.values())
            for c in consoles.values():
                c.close()
            names += list(consoles)
            if not ok or len(consoles) < len(batch):
                print(f"wave at {w} did not come up")
                break
            reached = len(names)
        boot_all = time.monotonic() - t_start

        # Idle overhead of one VM beyond its touched guest memory (after the fleet settled).
        st, vm = api(sock, "GET", f"/v1/vms/{names[0]}")
        rss, guest_rss = rss_and_guest_rss(vm["pid"], 128 << 20)
        overheads, private_overheads = [], []
        for n in names[: min(10, len(names))]:
            st, v = api(sock, "GET", f"/v1/vms/{n}")
            r, priv, g = smaps_figures(v["pid"], 128 << 20)
            overheads.append((r - g) / 2**20)
            private_overheads.append((priv - g) / 2**20)
        print(f"idle VM host memory: RSS {rss / 2**20:.1f} MiB of which guest pages touched {guest_rss / 2**20:.1f} MiB; "
              f"overhead beyond guest memory (median over {len(overheads)} VMs): RSS {statistics.median(overheads):.2f} MiB, "
              f"private (not shared with other VMMs: no shared libraries) {statistics.median(private_overheads):.2f} MiB")

        # Host CPU of the idle fleet over a window, once the last wave has settled (a VM's
        # first seconds after boot still warm up and then release its JIT code cache).
        time.sleep(10)
        fleet = []
        for n in names:
            st, v = api(sock, "GET", f"/v1/vms/{n}")
            fleet.append(v["pid"])
        c0 = sum(cpu_seconds(p) for p in fleet)
        t0 = time.monotonic()
        time.sleep(10)  # measurement window
        c1 = sum(cpu_seconds(p) for p in fleet)
        window = time.monotonic() - t0
        idle_cpu = (c1 - c0) / window

        # Responsiveness: a status request and a console round trip to every VM.
        answered = 0
        slowest = 0.0
        for n in names:
            t = time.monotonic()
            st, v = api(sock, "GET", f"/v1/vms/{n}")
            c = Console(sock, n)
            c.send(f"echo pong-{n}\n")
            if st == 200 and v["state"] == "running" and c.expect(f"pong-{n}", 30):
                answered += 1
            slowest = max(slowest, time.monotonic() - t)
            c.close()
        total_rss = sum(rss_and_guest_rss(p, 128 << 20)[0] for p in fleet)
        print(f"density: {reached} idle 128 MiB VMs running (target {target_vms}, waves of {wave}, "
              f"{boot_all:.0f} s to boot them all); {answered}/{len(names)} answered a status + console round trip "
              f"(slowest {slowest * 1000:.0f} ms)")
        print(f"idle fleet host CPU: {idle_cpu * 100:.1f}% of one core in total "
              f"({idle_cpu * 100 / max(1, len(fleet)):.2f}% per VM); fleet RSS {total_rss / 2**30:.2f} GiB")
    finally:
        for p in pids:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        daemon.kill()
        daemon.wait()
        shutil.rmtree(tmp, ignore_errors=True)


main()
