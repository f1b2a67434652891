// The network back ends without a guest: option parsing, and libslirp answering frames.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "net/hostfwd.h"
#include "net/slirp_backend.h"
#include "vmm/device_spec.h"

namespace vessel::net {
namespace {

std::string addr(in_addr a) {
  char b[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, b, sizeof b);
  return b;
}

TEST(HostForward, ParsesQemuSyntax) {
  auto f = parse_hostfwd("tcp:127.0.0.1:8080-10.0.2.15:80");
  ASSERT_TRUE(f) << f.error();
  EXPECT_FALSE(f->udp);
  EXPECT_EQ(addr(f->host_addr), "127.0.0.1");
  EXPECT_EQ(f->host_port, 8080);
  EXPECT_EQ(addr(f->guest_addr), "10.0.2.15");
  EXPECT_EQ(f->guest_port, 80);

  auto g = parse_hostfwd("udp::5353-:53");
  ASSERT_TRUE(g) << g.error();
  EXPECT_TRUE(g->udp);
  EXPECT_EQ(addr(g->host_addr), "127.0.0.1");  // loopback unless asked otherwise
  EXPECT_EQ(g->guest_addr.s_addr, 0u);
  EXPECT_EQ(g->guest_port, 53);

  auto h = parse_hostfwd("tcp:0.0.0.0:2222-:22");
  ASSERT_TRUE(h);
  EXPECT_EQ(addr(h->host_addr), "0.0.0.0");
}

TEST(HostForward, RejectsMalformed) {
  for (const char* bad : {"", "tcp", "tcp:8080", "tcp::8080", "sctp::1-:2", "tcp::0-:22", "tcp::70000-:22",
                          "tcp::22-:x", "tcp:999.1.1.1:22-:22", "tcp::22-:22-", "tcp::22x-:22"})
    EXPECT_FALSE(parse_hostfwd(bad)) << bad;
}

TEST(NetSpec, ParsesUserAndTap) {
  auto u = vmm::parse_net("user,hostfwd=tcp::8080-:80,hostfwd=tcp:127.0.0.1:2222-:22,mac=52:54:00:aa:bb:cc");
  ASSERT_TRUE(u) << u.error();
  EXPECT_EQ(u->kind, vmm::NetSpec::Kind::User);
  ASSERT_EQ(u->hostfwds.size(), 2u);
  EXPECT_EQ(u->hostfwds[1].host_port, 2222);
  ASSERT_TRUE(u->mac);
  EXPECT_EQ((*u->mac)[3], 0xaa);
  auto t = vmm::parse_net("tap,ifname=vtap0");
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->kind, vmm::NetSpec::Kind::Tap);
  EXPECT_EQ(t->ifname, "vtap0");
  EXPECT_FALSE(t->mac);
}

TEST(NetSpec, RejectsBadOptions) {
  for (const char* bad : {"", "bridge", "tap", "tap,ifname=", "tap,hostfwd=tcp::1-:2", "user,ifname=x",
                          "user,mac=01:00:00:00:00:01", "user,mac=52:54:00:12:34", "user,mac=52:54:00:12:34:567",
                          "user,hostfwd=nonsense", "user,foo=bar", "user,mac", "tap,ifname=abcdefghijklmnopq"})
    EXPECT_FALSE(vmm::parse_net(bad)) << bad;
}

// An ARP request for the gateway, as a guest would send it first.
std::vector<uint8_t> arp_request() {
  std::vector<uint8_t> f(42, 0);
  memset(f.data(), 0xff, 6);
  const uint8_t mac[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
  memcpy(&f[6], mac, 6);
  f[12] = 0x08, f[13] = 0x06;             // ARP
  f[14] = 0, f[15] = 1, f[16] = 8, f[17] = 0;  // Ethernet, IPv4
  f[18] = 6, f[19] = 4, f[20] = 0, f[21] = 1;  // request
  memcpy(&f[22], mac, 6);
  const uint8_t spa[4] = {10, 0, 2, 15}, tpa[4] = {10, 0, 2, 2};
  memcpy(&f[28], spa, 4);
  memcpy(&f[38], tpa, 4);
  return f;
}

TEST(SlirpBackend, AnswersArpForTheGateway) {
  EventLoop loop;
  auto b = SlirpBackend::create(loop, {});
  ASSERT_TRUE(b) << b.error();
  std::vector<std::vector<uint8_t>> got;
  b.value()->set_receiver([&](const uint8_t* f, size_t n) { got.emplace_back(f, f + n); });
  const auto req = arp_request();
  ASSERT_TRUE(b.value()->send(req.data(), req.size()));
  ASSERT_EQ(got.size(), 1u);
  ASSERT_GE(got[0].size(), 42u);
  EXPECT_EQ(got[0][12], 0x08);
  EXPECT_EQ(got[0][13], 0x06);
  EXPECT_EQ(got[0][21], 2);  // reply
  EXPECT_EQ(got[0][28], 10);
  EXPECT_EQ(got[0][31], 2);  // from 10.0.2.2
  EXPECT_FALSE(b.value()->send(req.data(), kMaxFrame + 1));
}

TEST(SlirpBackend, HostForwardListensOnLoopbackAndReportsPortInUse) {
  // Take a free port, then ask slirp for the same one.
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(s, 1), 0);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  const uint16_t port = ntohs(a.sin_port);

  EventLoop loop;
  auto fwd = parse_hostfwd("tcp::" + std::to_string(port) + "-:80");
  ASSERT_TRUE(fwd);
  auto busy = SlirpBackend::create(loop, {{fwd.value()}});
  ASSERT_FALSE(busy);
  EXPECT_NE(busy.error().find(std::to_string(port)), std::string::npos) << busy.error();
  close(s);

  auto ok = SlirpBackend::create(loop, {{fwd.value()}});
  ASSERT_TRUE(ok) << ok.error();
  const int c = socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_EQ(connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << strerror(errno);
  close(c);
}

}  // namespace
}  // namespace vessel::net
