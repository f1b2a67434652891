// The host side of virtio-vsock with the guest played by the test: the CONNECT handshake,
// guest connections to PATH_PORT, credit, shutdown and resets, and what a misbehaving guest
// gets. No virtqueues and no threads: the test drives the muxer as the device does.
#include "devices/virtio/vsock/vsock_muxer.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <vector>

namespace vessel::devices::virtio::vsock {
namespace {

constexpr uint64_t kCid = 3;

class VsockMuxer : public testing::Test {
 protected:
  void SetUp() override {
    path_ = testing::TempDir() + "/vsock-mux-" + std::to_string(getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name();
    auto m = Muxer::create(kCid, path_);
    ASSERT_TRUE(m) << m.error();
    mux_ = std::move(m.value());
    mux_->start();
  }

  int connect_to(const std::string& path) {
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    return fd;
  }
  // What the guest would find in its rx buffers now.
  std::vector<Header> drain(std::string* data = nullptr) {
    std::vector<Header> out;
    mux_->poll_host();
    mux_->flush_host();
    Header h;
    std::vector<uint8_t> buf(kMaxPayload);
    while (mux_->next_packet(h, buf.data(), buf.size())) {
      out.push_back(h);
      if (data) data->append(reinterpret_cast<char*>(buf.data()), h.len);
    }
    return out;
  }
  static Header from_guest(uint16_t op, uint32_t guest_port, uint32_t host_port, uint32_t len = 0) {
    Header h;
    h.src_cid = kCid;
    h.dst_cid = kHostCid;
    h.src_port = guest_port;
    h.dst_port = host_port;
    h.op = op;
    h.len = len;
    h.buf_alloc = 64 * 1024;
    return h;
  }
  // A host client through the handshake, accepted by a guest listening on guest_port.
  int host_connection(uint32_t guest_port, uint32_t& host_port) {
    const int c = connect_to(path_);
    const std::string hello = "CONNECT " + std::to_string(guest_port) + "\n";
    EXPECT_EQ(write(c, hello.data(), hello.size()), static_cast<ssize_t>(hello.size()));
    const auto pkts = drain();
    EXPECT_EQ(pkts.size(), 1u);
    if (pkts.size() != 1) return c;
    EXPECT_EQ(pkts[0].op, kOpRequest);
    EXPECT_EQ(pkts[0].dst_port, guest_port);
    EXPECT_EQ(pkts[0].dst_cid, kCid);
    host_port = pkts[0].src_port;
    mux_->handle_guest(from_guest(kOpResponse, guest_port, host_port), nullptr);
    drain();
    char line[32] = {};
    const ssize_t n = read(c, line, sizeof line - 1);
    EXPECT_GT(n, 0);
    EXPECT_EQ(std::string(line), "OK " + std::to_string(host_port) + "\n");
    return c;
  }

  std::string path_;
  std::unique_ptr<Muxer> mux_;
};

TEST_F(VsockMuxer, HostClientHandshakeThenDataBothWays) {
  uint32_t hp = 0;
  const int c = host_connection(1234, hp);
  EXPECT_GE(hp, 1u << 30);
  // Host to guest: one RW packet with the bytes.
  ASSERT_EQ(write(c, "hello", 5), 5);
  std::string data;
  auto pkts = drain(&data);
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_EQ(pkts[0].op, kOpRw);
  EXPECT_EQ(data, "hello");
  // Guest to host.
  const uint8_t msg[] = {'w', 'o', 'r', 'l', 'd'};
  mux_->handle_guest(from_guest(kOpRw, 1234, hp, 5), msg);
  drain();
  char buf[8] = {};
  ASSERT_EQ(read(c, buf, sizeof buf), 5);
  EXPECT_STREQ(buf, "world");
  close(c);
}

TEST_F(VsockMuxer, GuestRefusalClosesTheHostClient) {
  const int c = connect_to(path_);
  ASSERT_EQ(write(c, "CONNECT 99\n", 11), 11);
  const auto pkts = drain();
  ASSERT_EQ(pkts.size(), 1u);
  mux_->handle_guest(from_guest(kOpRst, 99, pkts[0].src_port), nullptr);
  char ch;
  EXPECT_EQ(read(c, &ch, 1), 0);  // end of stream, no "OK"
  EXPECT_EQ(mux_->connections(), 0u);
  close(c);
}

TEST_F(VsockMuxer, MalformedHandshakeIsClosed) {
  const int c = connect_to(path_);
  ASSERT_EQ(write(c, "HELLO 5\n", 8), 8);
  EXPECT_TRUE(drain().empty());
  char ch;
  EXPECT_EQ(read(c, &ch, 1), 0);
  close(c);
}

TEST_F(VsockMuxer, GuestConnectReachesPathPortOrIsReset) {
  mux_->handle_guest(from_guest(kOpRequest, 40000, 5555), nullptr);
  auto pkts = drain();
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_EQ(pkts[0].op, kOpRst);  // nobody listens at PATH_5555
  EXPECT_EQ(pkts[0].dst_port, 40000u);

  const std::string port_path = path_ + "_5555";
  const int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  snprintf(a.sun_path, sizeof a.sun_path, "%s", port_path.c_str());
  ASSERT_EQ(bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(l, 1), 0);
  mux_->handle_guest(from_guest(kOpRequest, 40001, 5555), nullptr);
  pkts = drain();
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_EQ(pkts[0].op, kOpResponse);
  const int s = accept(l, nullptr, nullptr);
  ASSERT_GE(s, 0);
  // The guest closes: SHUTDOWN both ways; the host reads the end and the guest gets RST.
  Header sh = from_guest(kOpShutdown, 40001, 5555);
  sh.flags = kShutdownRcv | kShutdownSend;
  mux_->handle_guest(sh, nullptr);
  pkts = drain();
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_EQ(pkts[0].op, kOpRst);
  char ch;
  EXPECT_EQ(read(s, &ch, 1), 0);
  close(s);
  close(l);
  unlink(port_path.c_str());
}

TEST_F(VsockMuxer, HostDataWaitsForGuestCredit) {
  uint32_t hp = 0;
  const int c = host_connection(7, hp);
  // The guest granted 64 KiB in its RESPONSE; the host writes 100 KiB.
  std::vector<char> big(100 * 1024, 'x');
  ASSERT_EQ(write(c, big.data(), big.size()), static_cast<ssize_t>(big.size()));
  std::string data;
  drain(&data);
  EXPECT_EQ(data.size(), 64u * 1024);
  // The guest consumed it all and says so: the rest follows.
  Header up = from_guest(kOpCreditUpdate, 7, hp);
  up.fwd_cnt = 64 * 1024;
  mux_->handle_guest(up, nullptr);
  data.clear();
  drain(&data);
  EXPECT_EQ(data.size(), 36u * 1024);
  close(c);
}

TEST_F(VsockMuxer, GuestOverrunningItsCreditIsReset) {
  uint32_t hp = 0;
  const int c = host_connection(8, hp);
  // Fill the host socket so nothing drains, then send more than the 256 KiB granted.
  std::vector<uint8_t> chunk(kMaxPayload, 'y');
  bool reset = false;
  for (int i = 0; i < 64 && !reset; ++i) {
    mux_->handle_guest(from_guest(kOpRw, 8, hp, kMaxPayload), chunk.data());
    for (const Header& h : drain()) reset |= h.op == kOpRst;
  }
  EXPECT_TRUE(reset);
  EXPECT_EQ(mux_->connections(), 0u);
  close(c);
}

TEST_F(VsockMuxer, UnknownConnectionsAndStrangersGetResetOrIgnored) {
  mux_->handle_guest(from_guest(kOpRw, 1, 2, 0), nullptr);
  auto pkts = drain();
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_EQ(pkts[0].op, kOpRst);
  mux_->handle_guest(from_guest(kOpRst, 1, 2), nullptr);  // never answered: no RST storms
  EXPECT_TRUE(drain().empty());
  Header spoofed = from_guest(kOpRequest, 1, 2);
  spoofed.src_cid = 77;  // not this guest's address
  mux_->handle_guest(spoofed, nullptr);
  EXPECT_TRUE(drain().empty());
  EXPECT_EQ(mux_->counters().guest_errors, 1u);
  Header other = from_guest(kOpRequest, 1, 2);
  other.dst_cid = 9;  // another VM: there is no route
  mux_->handle_guest(other, nullptr);
  pkts = drain();
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_EQ(pkts[0].op, kOpRst);
}

TEST_F(VsockMuxer, CreditRequestIsAnswered) {
  uint32_t hp = 0;
  const int c = host_connection(9, hp);
  mux_->handle_guest(from_guest(kOpCreditRequest, 9, hp), nullptr);
  const auto pkts = drain();
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_EQ(pkts[0].op, kOpCreditUpdate);
  EXPECT_EQ(pkts[0].buf_alloc, Connection::kBufAlloc);
  close(c);
}

TEST_F(VsockMuxer, UnansweredHostConnectTimesOut) {
  const int c = connect_to(path_);
  ASSERT_EQ(write(c, "CONNECT 11\n", 11), 11);
  auto pkts = drain();
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_EQ(pkts[0].op, kOpRequest);
  // The guest never answers: the muxer's timer wakes its epoll set after the timeout.
  pollfd p{mux_->epoll_fd(), POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 10000), 1);
  pkts = drain();
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_EQ(pkts[0].op, kOpRst);
  char ch;
  EXPECT_EQ(read(c, &ch, 1), 0);
  EXPECT_EQ(mux_->connections(), 0u);
  close(c);
}

TEST_F(VsockMuxer, StopClosesEverythingAndHostEofBecomesShutdown) {
  uint32_t hp = 0;
  const int c = host_connection(10, hp);
  shutdown(c, SHUT_WR);
  auto pkts = drain();
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_EQ(pkts[0].op, kOpShutdown);
  EXPECT_EQ(pkts[0].flags, kShutdownSend);
  mux_->stop();
  EXPECT_EQ(mux_->connections(), 0u);
  char ch;
  EXPECT_EQ(read(c, &ch, 1), 0);
  close(c);
}

}  // namespace
}  // namespace vessel::devices::virtio::vsock
