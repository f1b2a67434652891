// Boots the test guest with virtio-net through the real `vessel run` and uses the network the
// way a user would: DHCP and HTTP to the host over user networking, a port forward into the
// guest, and a TAP interface inside a network namespace the test creates.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "support/guest_process.h"

namespace vessel::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// A listening socket on 127.0.0.1 with a kernel-chosen port.
int listen_loopback(uint16_t& port) {
  const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(s, 8) != 0) {
    close(s);
    return -1;
  }
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return s;
}

uint16_t free_port() {
  uint16_t port = 0;
  const int s = listen_loopback(port);
  close(s);
  return port;
}

// A one-file HTTP server on host loopback: accept, read the request head, answer, close.
class TinyHttpServer {
 public:
  explicit TinyHttpServer(std::string body) : body_(std::move(body)), fd_(listen_loopback(port_)) {
    thread_ = std::thread([this] { serve(); });
  }
  ~TinyHttpServer() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  uint16_t port() const { return port_; }
  int requests() const { return requests_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      const int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      std::string req;
      char buf[1024];
      while (req.find("\r\n\r\n") == std::string::npos) {
        pollfd q{c, POLLIN, 0};
        if (poll(&q, 1, 10000) <= 0) break;
        const ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
      }
      ++requests_;
      const std::string resp = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                               std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n" + body_;
      for (size_t off = 0; off < resp.size();) {
        const ssize_t n = write(c, resp.data() + off, resp.size() - off);
        if (n <= 0) break;
        off += static_cast<size_t>(n);
      }
      close(c);
    }
  }
  std::string body_;
  uint16_t port_ = 0;
  int fd_;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

// Accepts one connection on host loopback and keeps what arrives, up to `want` bytes (then it
// closes, so a sender that does not half-close still finishes).
class TcpSink {
 public:
  explicit TcpSink(size_t want) : fd_(listen_loopback(port_)) {
    thread_ = std::thread([this, want] {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 120000) <= 0) return;
      const int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      char buf[65536];
      while (data_.size() < want) {
        pollfd q{c, POLLIN, 0};
        if (poll(&q, 1, 60000) <= 0) break;
        const ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        data_.append(buf, static_cast<size_t>(n));
      }
      close(c);
    });
  }
  ~TcpSink() {
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }
  uint16_t port() const { return port_; }
  const std::string& wait() {
    thread_.join();
    return data_;
  }

 private:
  uint16_t port_ = 0;
  int fd_;
  std::string data_;
  std::thread thread_;
};

// GET path from host:port; the whole response, or empty if the connection failed or was closed early.
std::string http_get(const std::string& host, uint16_t port, const std::string& path) {
  const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, host.c_str(), &a.sin_addr);
  std::string out;
  if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    const std::string req = "GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\n\r\n";
    if (write(s, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      for (;;) {
        pollfd p{s, POLLIN, 0};
        if (poll(&p, 1, 10000) <= 0) break;
        const ssize_t n = read(s, buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
      }
    }
  }
  close(s);
  return out;
}

std::string run_host(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return out;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) out += buf;
  pclose(p);
  return out;
}

class NetGuest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = guest_dir();
    ASSERT_FALSE(dir_.empty()) << "no test guest: run scripts/guest-dir.sh";
    ASSERT_TRUE(fs::exists(dir_ + "/Image")) << dir_;
  }
  std::vector<std::string> args(std::vector<std::string> extra, std::vector<std::string> prefix = {}) const {
    std::vector<std::string> a = prefix;
    const std::vector<std::string> base = {vessel_bin(), "run", "--kernel", dir_ + "/Image", "--initrd",
                                           dir_ + "/initramfs.cpio.gz", "--append", "console=ttyS0 quiet"};
    a.insert(a.end(), base.begin(), base.end());
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  // Runs a shell command in the guest and waits for `done` (printed by the command) to appear.
  static void shell(GuestProcess& vm, const std::string& cmd, const std::string& done, std::chrono::seconds t = 120s) {
    vm.send(cmd + "\n");
    ASSERT_TRUE(vm.expect(done, t)) << "guest command: " << cmd << "\n" << vm.output();
  }
  static void boot_shell(GuestProcess& vm) {
    ASSERT_TRUE(vm.expect("VESSEL-GUEST-READY", 180s)) << vm.output();
    ASSERT_TRUE(vm.expect("# ", 60s)) << vm.output();
  }
  static void poweroff(GuestProcess& vm) {
    vm.send("poweroff -f\n");
    EXPECT_EQ(vm.wait_exit(60s), 0) << vm.output();
  }
  std::string dir_;
};

TEST_F(NetGuest, DhcpThenWgetFromHostLoopback) {
  std::string body;
  for (int i = 0; i < 4000; ++i) body += "vessel-net-line-" + std::to_string(100000 + i) + "\n";  // 96 KB
  TinyHttpServer server(body);
  GuestProcess vm(args({"--net", "user"}));
  boot_shell(vm);
  // The echo markers are split so that the command's own echo on the console cannot match.
  shell(vm, "udhcpc -i eth0 -n -q -t 10 -T 2 && echo DHCP-''DONE", "DHCP-DONE");
  shell(vm, "ip -4 addr show eth0 | grep -o 'inet [0-9.]*'; echo ADDR-''DONE", "ADDR-DONE");
  EXPECT_NE(vm.output().find("inet 10.0.2.15"), std::string::npos) << vm.output();
  shell(vm,
        "wget -q -O /tmp/f http://10.0.2.2:" + std::to_string(server.port()) +
            "/file && echo size=$(wc -c < /tmp/f) last=$(tail -n 1 /tmp/f) WGET-''DONE",
        "WGET-DONE");
  EXPECT_NE(vm.output().find("size=" + std::to_string(body.size()) + " last=vessel-net-line-103999 WGET-DONE"),
            std::string::npos)
      << vm.output();
  EXPECT_GE(server.requests(), 1);
  // And back: the guest sends the file to the host (large segments, so offloads are exercised).
  TcpSink sink(body.size());
  shell(vm, "nc 10.0.2.2 " + std::to_string(sink.port()) + " < /tmp/f; echo NC-''DONE", "NC-DONE");
  const std::string& echoed = sink.wait();
  EXPECT_EQ(echoed.size(), body.size());
  EXPECT_TRUE(echoed == body) << "the file came back different";
  poweroff(vm);
}

TEST_F(NetGuest, HostFetchesFromGuestHttpdThroughHostfwd) {
  const uint16_t port = free_port();
  GuestProcess vm(args({"--net", "user,hostfwd=tcp:127.0.0.1:" + std::to_string(port) + "-:80"}));
  boot_shell(vm);
  shell(vm, "udhcpc -i eth0 -n -q -t 10 -T 2 && echo DHCP-''DONE", "DHCP-DONE");
  shell(vm,
        "mkdir -p /tmp/www && echo hello-from-the-guest > /tmp/www/index.html && httpd -p 80 -h /tmp/www && "
        "echo HTTPD-''UP",
        "HTTPD-UP");
  // slirp accepts on the host side before the guest answers: retry until a real page arrives.
  std::string page;
  for (int attempt = 0; attempt < 60 && page.find("hello-from-the-guest") == std::string::npos; ++attempt) {
    page = http_get("127.0.0.1", port, "/index.html");
    if (page.find("hello-from-the-guest") == std::string::npos) std::this_thread::sleep_for(500ms);
  }
  EXPECT_NE(page.find("200 OK"), std::string::npos) << page;
  EXPECT_NE(page.find("hello-from-the-guest"), std::string::npos) << page << "\n" << vm.output();
  poweroff(vm);
}

TEST_F(NetGuest, TwoNicsWithMacOption) {
  GuestProcess vm(args({"--net", "user,mac=52:54:00:ab:cd:01", "--net", "user"}));
  boot_shell(vm);
  shell(vm, "cat /sys/class/net/eth0/address /sys/class/net/eth1/address; echo MAC-''DONE", "MAC-DONE");
  EXPECT_NE(vm.output().find("52:54:00:ab:cd:01"), std::string::npos) << vm.output();
  EXPECT_NE(vm.output().find("52:54:00:12:34:57"), std::string::npos) << vm.output();
  poweroff(vm);
}

bool has_net_admin() {
  cap_t caps = cap_get_proc();
  if (!caps) return false;
  cap_flag_value_t v = CAP_CLEAR;
  cap_get_flag(caps, CAP_NET_ADMIN, CAP_EFFECTIVE, &v);
  cap_free(caps);
  return v == CAP_SET;
}

// A network namespace for the test's lifetime, with a tap holding the host side's address.
class Netns {
 public:
  explicit Netns(std::string name) : name_(std::move(name)) {}
  ~Netns() { run_host("ip netns del " + name_); }
  std::string exec(const std::string& cmd) const { return run_host("ip netns exec " + name_ + " " + cmd); }
  const std::string& name() const { return name_; }
  // An HTTP GET from inside the namespace, by a thread that joins it (setns affects only that thread).
  std::string http_get(const std::string& host, uint16_t port, const std::string& path) const {
    std::string out;
    std::thread t([&] {
      const int fd = open(("/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return;
      if (setns(fd, CLONE_NEWNET) == 0) out = test::http_get(host, port, path);
      close(fd);
    });
    t.join();
    return out;
  }

 private:
  std::string name_;
};

TEST_F(NetGuest, TapInsideNetworkNamespace) {
  if (!has_net_admin()) GTEST_SKIP() << "needs CAP_NET_ADMIN to create a network namespace and a tap";
  if (access("/dev/net/tun", R_OK | W_OK) != 0) GTEST_SKIP() << "/dev/net/tun is missing or not accessible";
  const std::string ip = fs::exists("/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip";
  ASSERT_TRUE(fs::exists(ip)) << "iproute2 is needed";
  Netns ns("vessel-nettest-" + std::to_string(getpid()));
  const std::string made = run_host(ip + " netns add " + ns.name());
  ASSERT_EQ(made, "") << made;
  ASSERT_EQ(ns.exec("ip link set lo up"), "");
  ASSERT_EQ(ns.exec("ip tuntap add dev vtap0 mode tap"), "");
  ASSERT_EQ(ns.exec("ip addr add 192.168.77.1/24 dev vtap0"), "");
  ASSERT_EQ(ns.exec("ip link set vtap0 up"), "");

  GuestProcess vm(args({"--net", "tap,ifname=vtap0"}, {ip, "netns", "exec", ns.name()}));
  boot_shell(vm);
  shell(vm, "ip addr add 192.168.77.2/24 dev eth0 && ip link set eth0 up && echo UP-''DONE", "UP-DONE");
  shell(vm, "ping -c 3 -W 5 192.168.77.1 && echo PING-''OK", "PING-OK");
  shell(vm,
        "mkdir -p /tmp/www && echo hello-over-tap > /tmp/www/index.html && httpd -p 80 -h /tmp/www && "
        "echo HTTPD-''UP",
        "HTTPD-UP");
  const std::string bb = fs::exists("/bin/busybox") ? "/bin/busybox" : "/usr/bin/busybox";
  std::string ping = ns.exec(bb + " ping -c 2 -W 5 192.168.77.2");
  EXPECT_NE(ping.find("2 packets received"), std::string::npos) << ping;
  std::string page;
  for (int attempt = 0; attempt < 20 && page.find("hello-over-tap") == std::string::npos; ++attempt) {
    page = ns.http_get("192.168.77.2", 80, "/index.html");
    if (page.find("hello-over-tap") == std::string::npos) std::this_thread::sleep_for(500ms);
  }
  EXPECT_NE(page.find("hello-over-tap"), std::string::npos) << page << "\n" << vm.output();
  poweroff(vm);
}

TEST_F(NetGuest, BadNetOptionsAreRejected) {
  GuestProcess vm(args({"--net", "user,hostfwd=tcp::notaport-:80"}));
  EXPECT_EQ(vm.wait_exit(30s), 2) << vm.output();
  EXPECT_NE(vm.output().find("hostfwd"), std::string::npos) << vm.output();
}

}  // namespace
}  // namespace vessel::test
