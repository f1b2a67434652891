"""Live migration under vesseld: to another vesseld over mutual TLS against a move within one
vesseld (run by bench/migration/daemons.sh).

Two daemons on this machine with their own state directories, each serving the API on a
loopback TLS port with certificates from `vessel cluster init` / `vessel cert issue`. The
guest (the test guest with the dirtying script of migration_bench.py) moves A -> B with
POST /v1/vms/NAME/migrate {"to": "https://127.0.0.1:PORT_B"}: A asks B over TLS to create
the VM and start a receiving VMM on TCP, then its VMM streams to that VMM. The reference in
the same run is the same move to a new name within daemon A (VMM to VMM over a Unix
socket). Reported: the API call's wall time (what a user waits), the VMM's total time and
downtime, rounds; median of RUNS; and whether the guest's ticks go on at the destination."""
import http.client, json, os, re, shutil, socket, statistics, subprocess, sys, tempfile, time

build, guest, runs, mem, downtime = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
sys.path.insert(0, os.path.dirname(__file__))
work = tempfile.mkdtemp(prefix="vessel-daemonbench-")
sys.argv = [sys.argv[0], build + "/vessel", guest, "1", mem, str(downtime)]
# The dirtying guest's initrd, as migration_bench.py makes it (its module body only builds it
# when run as a script, so it is built here the same way).
import importlib.util
spec = importlib.util.spec_from_file_location("mb", os.path.join(os.path.dirname(__file__), "migration_bench.py"))
src = open(spec.origin).read().split('\nprint("live migration')[0]  # definitions and the initrd, not the run
mb = {}
exec(compile(src, spec.origin, "exec"), mb)
initrd = mb["initrd"]


class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=600)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(self.path)


def api(sock, method, path, body=None):
    c = UnixHTTP(sock)
    c.request(method, path, json.dumps(body) if body is not None else None, {"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, json.loads(data) if data else {}


def run(args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def start_daemon(name, tls):
    d = os.path.join(work, name)
    os.makedirs(d)
    sock = os.path.join(d, "s.sock")
    log = os.path.join(d, "log")
    p = subprocess.Popen([build + "/vesseld", "--socket", sock, "--state-dir", d + "/state", "--log-file", log,
                          "--listen", "127.0.0.1:0", "--tls-dir", tls])
    end = time.monotonic() + 30
    while time.monotonic() < end:
        if os.path.exists(log):
            for line in open(log):
                j = json.loads(line)
                if j.get("msg") == "API over mutual TLS" and os.path.exists(sock):
                    return p, sock, j["port"]
        time.sleep(0.02)
    raise SystemExit("vesseld %s did not start" % name)


def last_tick(sock, name, wait_above=None, timeout=60):
    """Attaches to the console (history first); returns the highest tick seen, waiting for one
    above `wait_above` when given."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    s.sendall(("GET /v1/vms/%s/console HTTP/1.1\r\nHost: x\r\n\r\n" % name).encode())
    s.settimeout(0.5)
    out, end, best = b"", time.monotonic() + timeout, -1
    while time.monotonic() < end:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            chunk = b""
            if wait_above is None:
                break
        out += chunk
        ticks = [int(t) for t in re.findall(rb"\bT(\d+)\r\n", out)]
        best = max(ticks) if ticks else -1
        if wait_above is not None and best > wait_above:
            break
    s.close()
    return best


run([build + "/vessel", "cluster", "init", work + "/pki-a", "--host", "127.0.0.1"])
run([build + "/vessel", "cert", "issue", "--ca", work + "/pki-a", "--out", work + "/pki-b", "--name", "host-b",
     "--role", "host", "--host", "127.0.0.1"])
pa, sock_a, port_a = start_daemon("a", work + "/pki-a")
pb, sock_b, port_b = start_daemon("b", work + "/pki-b")


def once(rate, remote, i):
    name = "m%d-%d-%d" % (rate, remote, i)
    body = {"name": name, "memory": mem, "kernel": guest + "/Image", "initrd": initrd, "start": True,
            "cmdline": mb["append"](rate)}
    st, vm = api(sock_a, "POST", "/v1/vms", body)
    assert st == 201, vm
    while last_tick(sock_a, name, wait_above=8, timeout=300) <= 8:
        pass
    before = last_tick(sock_a, name)
    to = "https://127.0.0.1:%d" % port_b if remote else name + "-moved"
    t0 = time.monotonic()
    st, r = api(sock_a, "POST", "/v1/vms/%s/migrate" % name, {"to": to, "downtime_ms": downtime})
    wall = (time.monotonic() - t0) * 1e3
    assert st == 200, r
    there_sock, there = (sock_b, name) if remote else (sock_a, name + "-moved")
    ok = last_tick(there_sock, there, wait_above=before, timeout=30) > before
    api(there_sock, "POST", "/v1/vms/%s/kill" % there, {})
    api(there_sock, "DELETE", "/v1/vms/%s" % there)
    return wall, r["total_ms"], r["downtime_ms"], r["rounds"], "yes" if ok else "no"


try:
    print("live migration under vesseld of a %s guest, downtime limit %d ms, median of %d runs" % (mem, downtime, runs))
    print("%-10s %-26s %9s %9s %12s %7s  %s" % ("dirtying", "move", "API ms", "total ms", "downtime ms", "rounds",
                                                  "guest runs on"))
    for rate in (0, 32, 128):
        for remote, label in ((False, "within one vesseld (unix)"), (True, "to another vesseld (TLS)")):
            res = [once(rate, remote, i) for i in range(runs)]
            print("%-10s %-26s %9.0f %9.1f %12.1f %7d  %s" % (
                "%d MiB/s" % rate if rate else "idle", label, statistics.median(r[0] for r in res),
                statistics.median(r[1] for r in res), statistics.median(r[2] for r in res),
                statistics.median(r[3] for r in res), ", ".join(sorted(set(r[4] for r in res)))), flush=True)
finally:
    for p in (pa, pb):
        p.terminate()
        p.wait(30)
    shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(mb["work"], ignore_errors=True)
