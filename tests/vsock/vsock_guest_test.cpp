// Boots the test guest with virtio-vsock through the real `vessel run` and a guest program
// (vsock_peer.c) cross-built for riscv64: host-to-guest streams through the Unix socket's
// "CONNECT PORT" handshake, guest-to-host streams to PATH_PORT, both checked byte for byte
// over 4 MiB each way, a refused connection, a snapshot and restore (the CID is kept, live
// connections are reset), and bad --vsock options.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "snapshot/control_client.h"
#include "support/cpio_archive.h"
#include "support/guest_process.h"
#include "support/pci_guest.h"

namespace vessel::test {
namespace {

using namespace std::chrono_literals;

constexpr size_t kTransfer = 4u << 20;

// Must match pattern_byte() in vsock_peer.c.
uint8_t pattern_byte(uint64_t i) { return static_cast<uint8_t>((i ^ (i >> 8) ^ (i >> 16)) * 31u + 7u); }

// Waits (bounded) until fd is ready for `events`; false on timeout.
bool wait_fd(int fd, short events, int timeout_ms = 60000) {
  pollfd p{fd, events, 0};
  return poll(&p, 1, timeout_ms) == 1;
}

sockaddr_un unix_addr(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
  return a;
}

// Writes `n` bytes of the pattern; false if the peer stops taking them.
bool write_pattern(int fd, size_t n) {
  uint8_t buf[65536];
  for (size_t done = 0; done < n;) {
    const size_t chunk = std::min(sizeof buf, n - done);
    for (size_t i = 0; i < chunk; ++i) buf[i] = pattern_byte(done + i);
    for (size_t off = 0; off < chunk;) {
      if (!wait_fd(fd, POLLOUT)) return false;
      const ssize_t w = send(fd, buf + off, chunk - off, MSG_NOSIGNAL);
      if (w <= 0) return false;
      off += static_cast<size_t>(w);
    }
    done += chunk;
  }
  return true;
}

// Reads until the end of the stream (or `limit` bytes), checking the pattern; returns the count
// of correct bytes read before the first wrong one.
size_t read_pattern(int fd, size_t limit, bool& mismatch) {
  uint8_t buf[65536];
  size_t total = 0;
  mismatch = false;
  while (total < limit) {
    if (!wait_fd(fd, POLLIN)) break;
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; ++i)
      if (buf[i] != pattern_byte(total + static_cast<size_t>(i))) {
        mismatch = true;
        return total + static_cast<size_t>(i);
      }
    total += static_cast<size_t>(n);
  }
  return total;
}

// Connects to the VMM's socket and asks for guest port `port`; returns the socket, with the
// answer line in `line` ("OK HOSTPORT\n", or what came before the socket closed).
int connect_guest_port(const std::string& uds, unsigned port, std::string& line) {
  const int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const sockaddr_un a = unix_addr(uds);
  line.clear();
  if (connect(c, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) return c;
  const std::string hello = "CONNECT " + std::to_string(port) + "\n";
  if (write(c, hello.data(), hello.size()) != static_cast<ssize_t>(hello.size())) return c;
  for (char ch = 0; ch != '\n';) {  // byte by byte: nothing after the line is ours to take
    if (!wait_fd(c, POLLIN) || read(c, &ch, 1) != 1) break;
    line += ch;
  }
  return c;
}

// A Unix socket listening at `path` (the host side of guest connections to a port).
int listen_at(const std::string& path) {
  const int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const sockaddr_un a = unix_addr(path);
  unlink(path.c_str());
  if (bind(l, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 || listen(l, 4) != 0) {
    close(l);
    return -1;
  }
  return l;
}

class VsockGuest : public testing::Test {
 protected:
  // The test guest's initramfs from `dir` with the guest program and its scripts added.
  static std::string compose_for(const std::string& dir, const std::string& tag) {
    FILE* f = fopen(VSOCK_PEER_BIN, "rb");
    if (!f) return {};
    std::string peer;
    char buf[65536];
    for (size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;) peer.append(buf, n);
    fclose(f);
    const std::string path = testing::TempDir() + "/vessel-vsock-" + std::to_string(getpid()) + "-" + tag + ".cpio.gz";
    const bool ok = compose_initramfs(dir + "/initramfs.cpio.gz",
                                      {{"etc", 040755, ""},
                                       {"etc/run", 040755, ""},
                                       {"etc/vsock_peer", 0100755, peer},
                                       {"etc/run/vsecho.sh", 0100755, "/etc/vsock_peer echo 5000\n"},
                                       {"etc/run/vssend.sh", 0100755, "/etc/vsock_peer send 6000 4194304\n"},
                                       {"etc/run/vsrefused.sh", 0100755, "/etc/vsock_peer refused 7000\n"},
                                       {"etc/run/vssnap.sh", 0100755,
                                        "/etc/vsock_peer hold 6100\n/etc/vsock_peer echo 5000\n"}},
                                      path);
    return ok ? path : std::string{};
  }
  static void SetUpTestSuite() {
    if (!std::string(VSOCK_PEER_BIN).empty()) initrd_ = compose_for(guest_dir(), "default");
  }
  static void TearDownTestSuite() {
    if (!initrd_.empty()) unlink(initrd_.c_str());
  }
  void SetUp() override {
    if (std::string(VSOCK_PEER_BIN).empty())
      GTEST_SKIP() << "riscv64-linux-gnu-gcc was not found at configure time: no guest program to run";
    ASSERT_FALSE(initrd_.empty()) << "could not compose the test initramfs";
    uds_ = testing::TempDir() + "/vsock-" + std::to_string(getpid()) + "-" +
           testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  void TearDown() override { unlink(uds_.c_str()); }
  // `vessel run` of script `run`, from the kernel in `dir` (default: the test guest), its last
  // argument the --vsock spec.
  std::vector<std::string> args(const std::string& run, std::string dir = {}, std::string initrd = {}) const {
    if (dir.empty()) dir = guest_dir();
    if (initrd.empty()) initrd = initrd_;
    return {vessel_bin(), "run", "--kernel", dir + "/Image", "--initrd", initrd, "--append",
            "console=ttyS0 quiet run=" + run, "--vsock", "cid=3,uds=" + uds_};
  }

  // Boots with `args` (run=vsecho) and moves 4 MiB through the guest's echo both ways.
  void echo_through_guest(const std::vector<std::string>& args);

  static inline std::string initrd_;
  std::string uds_;
};

TEST_F(VsockGuest, HostConnectsToGuestListenerAndEchoes4MiB) { echo_through_guest(args("vsecho")); }

TEST_F(VsockGuest, WorksUnderTheInterpreter) {
  std::vector<std::string> a = args("vsecho");
  a.insert(a.end(), {"--engine", "interp"});
  echo_through_guest(a);
}

TEST_F(VsockGuest, WorksOnPci) {
  std::string tried;
  const std::string dir = pci_guest_dir(tried);
  if (dir.empty())
    GTEST_SKIP() << "no test guest whose kernel has CONFIG_PCI_HOST_GENERIC and CONFIG_VIRTIO_PCI (looked in" << tried
                 << "); set VESSEL_PCI_GUEST_DIR";
  const std::string initrd = compose_for(dir, "pci");
  ASSERT_FALSE(initrd.empty());
  std::vector<std::string> a = args("vsecho", dir, initrd);
  a.back() += ",bus=pci";
  echo_through_guest(a);
  unlink(initrd.c_str());
}

void VsockGuest::echo_through_guest(const std::vector<std::string>& args) {
  GuestProcess vm(args);
  ASSERT_TRUE(vm.expect("vsock-echo listening 5000", 120s)) << vm.output();
  std::string line;
  const int c = connect_guest_port(uds_, 5000, line);
  ASSERT_EQ(line.rfind("OK ", 0), 0u) << "answer to CONNECT: '" << line << "'\n" << vm.output();
  EXPECT_GE(std::stoull(line.substr(3)), 1ull << 30) << line;  // host ports are allocated from 2^30

  std::atomic<bool> written{false};
  std::thread writer([&] { written = write_pattern(c, kTransfer); });
  bool mismatch = false;
  const size_t echoed = read_pattern(c, kTransfer, mismatch);
  writer.join();
  EXPECT_TRUE(written);
  EXPECT_FALSE(mismatch) << "echo differs at byte " << echoed;
  EXPECT_EQ(echoed, kTransfer);
  close(c);  // the guest's read sees the end of the stream and the program ends
  EXPECT_TRUE(vm.expect("vsock-echo done 4194304", 60s)) << vm.output();
  EXPECT_EQ(vm.wait_exit(60s), 0) << vm.output();
}

TEST_F(VsockGuest, GuestConnectsToHostSocketAndGetsItsBytesBack) {
  const std::string port_path = uds_ + "_6000";
  const int l = listen_at(port_path);
  ASSERT_GE(l, 0) << strerror(errno);
  std::atomic<size_t> received{0};
  std::atomic<bool> mismatch{false}, accepted{false};
  // Echoes what the guest sends, checking it; ends at the guest's end of stream.
  std::thread server([&] {
    if (!wait_fd(l, POLLIN, 180000)) return;
    const int c = accept4(l, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return;
    accepted = true;
    uint8_t buf[65536];
    size_t total = 0;
    for (;;) {
      if (!wait_fd(c, POLLIN)) break;
      const ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) break;
      for (ssize_t i = 0; i < n; ++i)
        if (buf[i] != pattern_byte(total + static_cast<size_t>(i))) mismatch = true;
      total += static_cast<size_t>(n);
      for (ssize_t off = 0; off < n;) {
        const ssize_t w = send(c, buf + off, static_cast<size_t>(n - off), MSG_NOSIGNAL);
        if (w <= 0) break;
        off += w;
      }
    }
    received = total;
    close(c);
  });
  GuestProcess vm(args("vssend"));
  EXPECT_TRUE(vm.expect("vsock-send ok sent=4194304 received=4194304", 180s)) << vm.output();
  EXPECT_EQ(vm.wait_exit(60s), 0) << vm.output();
  server.join();
  close(l);
  unlink(port_path.c_str());
  EXPECT_TRUE(accepted);
  EXPECT_FALSE(mismatch);
  EXPECT_EQ(received.load(), kTransfer);
}

TEST_F(VsockGuest, ConnectionToAHostPortNobodyListensOnIsRefused) {
  GuestProcess vm(args("vsrefused"));
  ASSERT_TRUE(vm.expect("vsock-refused errno=", 120s)) << vm.output();
  ASSERT_TRUE(vm.expect("\n", 10s));
  const std::string& out = vm.output();
  EXPECT_TRUE(out.find("errno=ECONNRESET") != std::string::npos || out.find("errno=ECONNREFUSED") != std::string::npos)
      << out;
  EXPECT_EQ(vm.wait_exit(60s), 0) << out;
}

// A snapshot taken while the guest holds a connection to the host: after the restore the
// guest's socket is reset (TRANSPORT_RESET) and the guest still answers at its CID.
TEST_F(VsockGuest, RestoreKeepsTheCidAndResetsConnections) {
  namespace fs = std::filesystem;
  const std::string control_sock = uds_ + ".control", snap = uds_ + ".snap", port_path = uds_ + "_6100";
  const int l = listen_at(port_path);
  ASSERT_GE(l, 0) << strerror(errno);
  std::vector<std::string> a = args("vssnap");
  a.insert(a.end(), {"--control", control_sock});
  {
    GuestProcess vm(a);
    ASSERT_TRUE(vm.expect("vsock-held", 120s)) << vm.output();
    ASSERT_TRUE(wait_fd(l, POLLIN, 10000));
    const int held = accept4(l, nullptr, nullptr, SOCK_CLOEXEC);
    ASSERT_GE(held, 0);
    const auto r = control(control_sock, {{"op", "snapshot"}, {"path", snap}});
    ASSERT_TRUE(r.is_object() && r.value("ok", false)) << r.dump();
    EXPECT_TRUE(control(control_sock, {{"op", "stop"}}).value("ok", false));
    EXPECT_EQ(vm.wait_exit(60s), 0) << vm.output();
    close(held);
  }
  GuestProcess vm({vessel_bin(), "run", "--restore", snap, "--control", control_sock});
  ASSERT_TRUE(vm.expect("vsock-hold-ended ", 60s)) << vm.output();
  ASSERT_TRUE(vm.expect("\n", 10s));
  // A reader blocked when the transport resets sees ENOTCONN (Linux moves the socket to CLOSE).
  EXPECT_TRUE(vm.output().find("vsock-hold-ended ENOTCONN") != std::string::npos ||
              vm.output().find("vsock-hold-ended ECONNRESET") != std::string::npos)
      << vm.output();
  ASSERT_TRUE(vm.expect("vsock-echo listening 5000", 60s)) << vm.output();
  std::string line;
  const int c = connect_guest_port(uds_, 5000, line);
  ASSERT_EQ(line.rfind("OK ", 0), 0u) << "answer to CONNECT: '" << line << "'\n" << vm.output();
  ASSERT_TRUE(write_pattern(c, 100000));
  bool mismatch = false;
  EXPECT_EQ(read_pattern(c, 100000, mismatch), 100000u);
  EXPECT_FALSE(mismatch);
  close(c);
  EXPECT_TRUE(vm.expect("vsock-echo done 100000", 60s)) << vm.output();
  EXPECT_EQ(vm.wait_exit(60s), 0) << vm.output();
  close(l);
  unlink(port_path.c_str());
  fs::remove(snap);
}

TEST(VsockOptions, BadOptionsExitWithStatus2AndSayWhy) {
  const struct {
    const char* spec;
    const char* message;
  } cases[] = {
      {"cid=2", "cid must be a number from 3"},
      {"cid=1", "cid must be a number from 3"},
      {"cid=abc", "cid must be a number from 3"},
      {"cid=4294967295", "cid must be a number from 3"},
      {"uds=/tmp/x", "cid=N is required"},
      {"cid=3,port=5", "unknown option 'port'"},
      {"cid=3,uds=", "uds must be a path"},
      {"cid", "not of the form key=value"},
  };
  for (const auto& c : cases) {
    GuestProcess vm({vessel_bin(), "run", "--kernel", guest_dir() + "/Image", "--vsock", c.spec});
    EXPECT_EQ(vm.wait_exit(30s), 2) << c.spec << ": " << vm.output();
    EXPECT_NE(vm.output().find(c.message), std::string::npos) << c.spec << ": " << vm.output();
  }
}

}  // namespace
}  // namespace vessel::test
