// The remote protocol's framing, byte by byte as a client sends it: checksums (a bad one is
// answered '-' and the packet dropped), '}' escapes, Ctrl-C, acknowledgements, no-ack mode.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "gdb/rsp_connection.h"

namespace vessel::gdb {
namespace {

std::string framed(const std::string& payload) {
  unsigned sum = 0;
  for (unsigned char c : payload) sum += c;
  char tail[4];
  snprintf(tail, sizeof tail, "#%02x", sum & 0xff);
  return "$" + payload + tail;
}

struct Pair {
  Pair() { EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0); }
  ~Pair() { close(fds[1]); }
  void client_send(const std::string& s) { ASSERT_EQ(write(fds[1], s.data(), s.size()), static_cast<ssize_t>(s.size())); }
  std::string client_read(size_t n) {
    std::string out(n, '\0');
    size_t got = 0;
    while (got < n) {
      const ssize_t r = read(fds[1], out.data() + got, n - got);
      if (r <= 0) break;
      got += static_cast<size_t>(r);
    }
    return out.substr(0, got);
  }
  int fds[2] = {-1, -1};
};

TEST(RspConnection, ChecksumsEscapesAndInterrupts) {
  Pair p;
  RspConnection stub(p.fds[0]);
  p.client_send("+$m0,4#00");                   // a wrong checksum: '-', dropped
  p.client_send(framed("X0,1:}\x03"));          // '}' escapes the next byte (xor 0x20)
  p.client_send("\x03");
  auto first = stub.read_packet();
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, std::string("X0,1:#", 6));  // 0x03 ^ 0x20 = '#'
  EXPECT_EQ(p.client_read(2), "-+");
  auto interrupt = stub.read_packet();
  ASSERT_TRUE(interrupt);
  EXPECT_EQ(*interrupt, "\x03");
}

TEST(RspConnection, RepliesAreEscapedAndWaitForTheirAck) {
  Pair p;
  RspConnection stub(p.fds[0]);
  std::thread client([&] {
    const std::string expect = "$a}\x04}\x0a}]#";  // '$' '*' '}' escaped
    std::string got = p.client_read(expect.size() + 2);
    EXPECT_EQ(got.substr(0, expect.size()), expect);
    p.client_send("-");                             // ask again
    got = p.client_read(expect.size() + 2);
    EXPECT_EQ(got.substr(0, expect.size()), expect);
    p.client_send("+");
  });
  EXPECT_TRUE(stub.send_packet("a$*}"));
  client.join();
  stub.set_no_ack(true);
  EXPECT_TRUE(stub.send_packet("OK"));
  EXPECT_EQ(p.client_read(6), "$OK#9a");
}

TEST(RspConnection, EndOfStream) {
  Pair p;
  RspConnection stub(p.fds[0]);
  p.client_send("$q");
  shutdown(p.fds[1], SHUT_WR);
  EXPECT_FALSE(stub.read_packet());
}

}  // namespace
}  // namespace vessel::gdb
