// Named networks under vesseld: a VDE switch with a NAT uplink (slirpvde) that VMs attach to by
// name. Two VMs get addresses by DHCP, ping each other and reach a server on the host's
// loopback through the uplink; the network refuses deletion while VMs use it, and a daemon
// restart re-adopts its processes. Skips where Debian's vde2 is not installed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <regex>
#include <thread>

#include "manager/daemon_fixture.h"

namespace vessel::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// Ends a network's daemons by pid if the test stops before deleting it (they outlive vesseld).
class NetworkProcesses {
 public:
  explicit NetworkProcesses(const json& network) {
    for (const char* k : {"switch_pid", "uplink_pid"})
      if (network.contains(k)) pids_.push_back(network[k].get<pid_t>());
  }
  ~NetworkProcesses() {
    for (pid_t p : pids_)
      if (manager::process_alive({p, manager::process_start_time(p).value_or(0)})) kill(p, SIGTERM);
  }

 private:
  std::vector<pid_t> pids_;
};

// One connection on 127.0.0.1: the first line that arrives.
class LineSink {
 public:
  LineSink() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 4);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 120000) <= 0) return;
      const int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      char buf[256];
      while (c >= 0 && line_.find('\n') == std::string::npos) {
        pollfd q{c, POLLIN, 0};
        if (poll(&q, 1, 30000) <= 0) break;
        const ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        line_.append(buf, static_cast<size_t>(n));
      }
      if (c >= 0) close(c);
    });
  }
  ~LineSink() {
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }
  uint16_t port() const { return port_; }
  std::string wait() {
    thread_.join();
    return line_;
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
  std::string line_;
  std::thread thread_;
};

std::string dhcp_address(ConsoleStream& con) {
  // The markers are split so that the command's own echo cannot match.
  con.send("udhcpc -i eth0 -n -q -t 10 -T 2 >/dev/null 2>&1; ip -4 addr show eth0 | grep -o 'inet [0-9.]*' | "
           "sed 's/inet /ADDR=/;s/$/=END/'; echo DHCP-''DONE\n");
  if (!con.expect("DHCP-DONE", 120s)) return "";
  std::smatch m;
  const std::string& out = con.output();
  return std::regex_search(out, m, std::regex("ADDR=([0-9.]+)=END")) ? m[1].str() : "";
}

TEST(ManagerNetworks, VmsOnANamedNetworkTalkAndReachTheHostThroughNat) {
  if (access("/usr/bin/vde_switch", X_OK) != 0 || access("/usr/bin/slirpvde", X_OK) != 0)
    GTEST_SKIP() << "vde_switch/slirpvde are not installed (Debian's vde2)";
  Daemon d;
  d.start();
  auto r = d.api("POST", "/v1/networks", json{{"name", "lan"}, {"subnet", "10.77.0.0/24"}, {"nat", true}});
  ASSERT_EQ(r.status, 201) << r.body;
  NetworkProcesses cleanup(r.json);
  EXPECT_EQ(r.json["state"], "up");
  EXPECT_EQ(r.json["gateway"], "10.77.0.2");
  const pid_t switch_pid = r.json.value("switch_pid", 0);
  ASSERT_GT(switch_pid, 0);

  // Bad requests name what is wrong.
  r = d.api("POST", "/v1/networks", json{{"name", "lan"}});
  EXPECT_EQ(r.status, 409) << r.body;
  r = d.api("POST", "/v1/networks", json{{"name", "x"}, {"subnet", "10.77.0.1/24"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("subnet"), std::string::npos) << r.body;
  json stray = d.guest_vm("stray");
  stray["nets"] = json::array({{{"network", "nowhere"}}});
  r = d.api("POST", "/v1/vms", stray);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("no network named 'nowhere'"), std::string::npos) << r.body;

  for (const char* name : {"a", "b"}) {
    json vm = d.guest_vm(name);
    vm["nets"] = json::array({{{"network", "lan"}, {"mac", std::string("52:54:00:00:77:0") + (name[0] == 'a' ? "1" : "2")}}});
    vm["start"] = true;
    r = d.api("POST", "/v1/vms", vm);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  ConsoleStream a(d.socket(), "a"), b(d.socket(), "b");
  ASSERT_TRUE(a.expect("VESSEL-GUEST-READY", 180s)) << a.output();
  ASSERT_TRUE(b.expect("VESSEL-GUEST-READY", 180s)) << b.output();
  const std::string ip_a = dhcp_address(a), ip_b = dhcp_address(b);
  ASSERT_EQ(ip_a.rfind("10.77.0.", 0), 0u) << a.output();
  ASSERT_EQ(ip_b.rfind("10.77.0.", 0), 0u) << b.output();
  EXPECT_NE(ip_a, ip_b);

  b.send("ping -c 3 -W 5 " + ip_a + " | grep -o '[0-9] packets received'; echo PING-''DONE\n");
  ASSERT_TRUE(b.expect("PING-DONE", 60s)) << b.output();
  EXPECT_NE(b.output().find("3 packets received"), std::string::npos) << b.output();

  LineSink sink;
  a.send("echo hello-through-the-uplink | nc 10.77.0.2 " + std::to_string(sink.port()) + "; echo NC-''DONE\n");
  EXPECT_EQ(sink.wait(), "hello-through-the-uplink\n") << a.output();

  r = d.api("DELETE", "/v1/networks/lan");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("network_in_use"), std::string::npos) << r.body;

  // A daemon restart keeps the network's processes and adopts them.
  d.kill9();
  d.start();
  r = d.api("GET", "/v1/networks/lan");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["state"], "up");
  EXPECT_EQ(r.json.value("switch_pid", 0), switch_pid);
  for (const char* name : {"a", "b"}) {
    EXPECT_EQ(d.api("POST", std::string("/v1/vms/") + name + "/kill", std::string()).status, 200);
    EXPECT_TRUE(d.wait_state(name, "stopped", 30s));
    EXPECT_EQ(d.api("DELETE", std::string("/v1/vms/") + name).status, 200);
  }
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, switch_pid, 0));
  r = d.api("DELETE", "/v1/networks/lan");
  EXPECT_EQ(r.status, 200) << r.body;
  pollfd p{pidfd, POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 10000), 1) << "the switch is still running after the network was deleted";
  close(pidfd);
  EXPECT_EQ(d.api("GET", "/v1/networks/lan").status, 404);
}

}  // namespace
}  // namespace vessel::test
