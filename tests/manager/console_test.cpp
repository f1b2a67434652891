// The VMM side of console attach (src/vmm/console.*) and the UART break the stop request
// uses (src/vmm/guest_shutdown.*), without a guest.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>

#include "http/http_client.h"
#include "devices/uart16550.h"
#include "vmm/console.h"

namespace vessel::test {
namespace {

std::string read_until(int fd, const std::string& want, std::chrono::milliseconds timeout) {
  std::string got;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (got.find(want) == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0) break;
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

TEST(ManagerConsole, HistoryRingKeepsTheTail) {
  vmm::Console c(vmm::Console::Options{.use_stdio = false, .history_bytes = 16});
  const std::string a = "0123456789", b = "abcdefghijklmnopqrstuvwxyz";
  c.write(reinterpret_cast<const uint8_t*>(a.data()), a.size());
  EXPECT_EQ(c.history(), a);
  c.write(reinterpret_cast<const uint8_t*>(b.data()), b.size());
  EXPECT_EQ(c.history(), b.substr(b.size() - 16));
}

TEST(ManagerConsole, AttachGetsHistoryThenLiveOutputAndTypesInput) {
  char tmpl[] = "/tmp/vessel-console-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  vmm::Console c(vmm::Console::Options{.use_stdio = false, .history_bytes = 4096});
  std::mutex m;
  std::string typed;
  c.set_sink([&](const uint8_t* d, size_t n) {
    std::lock_guard lock(m);
    typed.append(reinterpret_cast<const char*>(d), n);
    return n;
  });
  const std::string before = "boot messages\n";
  c.write(reinterpret_cast<const uint8_t*>(before.data()), before.size());
  ASSERT_TRUE(c.listen(dir + "/con"));
  const int fd = http::connect_unix(dir + "/con");
  ASSERT_GE(fd, 0);
  EXPECT_NE(read_until(fd, "boot messages", std::chrono::seconds(5)).find("boot messages"), std::string::npos);
  const std::string live = "live line\n";
  c.write(reinterpret_cast<const uint8_t*>(live.data()), live.size());
  EXPECT_NE(read_until(fd, "live line", std::chrono::seconds(5)).find("live line"), std::string::npos);
  ASSERT_EQ(send(fd, "ls\n", 3, MSG_NOSIGNAL), 3);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    {
      std::lock_guard lock(m);
      if (typed == "ls\n") break;
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "input never reached the guest sink";
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  close(fd);
  std::filesystem::remove_all(dir);
}

TEST(ManagerConsole, UartBreakIsAReceivedNulWithLsrBi) {
  devices::Uart16550 uart(0x10000000, {}, [](const uint8_t*, size_t) {});
  uint64_t v = 0;
  ASSERT_TRUE(uart.receive_break());
  const uint8_t o = 'o';
  ASSERT_EQ(uart.receive(&o, 1), 1u);
  EXPECT_FALSE(uart.receive_break()) << "a break needs an empty FIFO";
  ASSERT_TRUE(uart.read(5, 1, v));  // LSR
  EXPECT_EQ(v & 0x11, 0x11u) << "data ready and break interrupt";
  ASSERT_TRUE(uart.read(0, 1, v));  // RBR: the break's NUL
  EXPECT_EQ(v, 0u);
  ASSERT_TRUE(uart.read(5, 1, v));
  EXPECT_EQ(v & 0x11, 0x01u) << "BI belongs to the NUL only";
  ASSERT_TRUE(uart.read(0, 1, v));
  EXPECT_EQ(v, uint64_t{'o'});
}

}  // namespace
}  // namespace vessel::test
