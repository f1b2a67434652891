// A counting, memory-dirtying guest migrated several times, between the JIT and the
// interpreter and back: the count never repeats or skips, its tmpfs file keeps its checksum,
// the console history and the balloon target survive.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fstream>

#include "control_client.h"
#include "migration_guest.h"

namespace vessel::test {
namespace {

using namespace std::chrono_literals;

// Reads the console history a console client of `socket` gets first.
std::string console_history(const std::string& socket, const std::string& until) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket.c_str());
  std::string seen;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[4096];
    for (ssize_t n; seen.find(until) == std::string::npos && (n = read(fd, buf, sizeof buf)) > 0;)
      seen.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return seen;
}

// Every count is the previous one plus one.
void expect_consecutive(const std::string& text, size_t at_least) {
  const auto seen = counts(text);
  ASSERT_GE(seen.size(), at_least) << text;
  for (size_t i = 1; i < seen.size(); ++i) ASSERT_EQ(seen[i], seen[i - 1] + 1) << "at " << i << "\n" << text;
}

TEST_F(MigrationGuest, CountingGuestMovesFourTimesBetweenEngines) {
  auto vm = boot_source("jit");
  ASSERT_TRUE(vm->expect(count_line(5), 120s)) << vm->output();
  ASSERT_TRUE(control(control_path(0), {{"op", "balloon"}, {"bytes", 8 << 20}}).value("ok", false));
  std::string all;  // the guest's console over every VMM, in order
  int from = 0;
  const char* engines[] = {"interp", "jit", "interp", "jit"};
  for (int hop = 1; hop <= 4; ++hop) {
    SCOPED_TRACE(std::string("hop ") + std::to_string(hop) + " to " + engines[hop - 1]);
    const bool headless = hop == 4;  // the last one serves console attach instead of stdout
    std::vector<std::string> extra = {"--engine", engines[hop - 1]};
    if (headless) extra.insert(extra.end(), {"--console-socket", dir_ + "/console.sock"});
    auto next = start_destination(hop, extra);
    const auto started =
        migrate(from, {{"to", "unix:" + incoming_path(hop)}, {"downtime_ms", 100}, {"compress", hop % 2 == 0}});
    ASSERT_TRUE(started.value("ok", false)) << started.dump();
    // The source reports completion, with the measured downtime, before it exits.
    const auto done = wait_phase(from, {"completed", "failed"}, 180s);
    ASSERT_EQ(done.value("phase", ""), "completed") << done.dump() << vm->output() << next->output();
    EXPECT_GE(done.value("rounds", 0), 1) << done.dump();
    EXPECT_GT(done.value("bytes_sent", 0), 0) << done.dump();
    EXPECT_GT(done.value("downtime_ms", 0.0), 0.0) << done.dump();
    EXPECT_EQ(vm->wait_exit(60s), 5) << "the source exits once the destination runs the VM\n" << vm->output();
    EXPECT_NE(vm->output().find("the VM migrated to unix:"), std::string::npos) << vm->output();
    const long last = highest_count(vm->output());
    all += guest_text(vm->output());
    // It keeps counting on the destination, from where it was.
    if (headless) {
      // The history came along: a console client of the last VMM sees the first one's boot,
      // then every count since.
      const std::string con = console_history(dir_ + "/console.sock", count_line(last + 25));
      EXPECT_NE(con.find("VESSEL-GUEST-READY"), std::string::npos) << con;
      expect_consecutive(guest_text(con), static_cast<size_t>(last + 20));
    } else {
      ASSERT_TRUE(next->expect(count_line(last + 15), 120s)) << next->output();
    }
    const auto status = control(control_path(hop), {{"op", "status"}});
    EXPECT_EQ(status.value("state", ""), "running") << status.dump();
    EXPECT_EQ(status["balloon"].value("target_bytes", 0), 8 << 20) << status.dump();
    from = hop;
    vm = std::move(next);
  }
  EXPECT_TRUE(control(control_path(from), {{"op", "stop"}}).value("ok", false));
  EXPECT_EQ(vm->wait_exit(60s), 0) << vm->output();
  // Never a repeat, never a gap over the first four VMMs.
  expect_consecutive(all, 20);
  // The tmpfs file written at the start kept its content through every move.
  const auto sums = checksums(all);
  ASSERT_GE(sums.size(), 2u) << all;
  for (const auto& s : sums) EXPECT_EQ(s, sums[0]) << all;
  // Guest time went on without a jump: every 10 counts take about the same time, moves or not
  // (the pause is not seen by the guest; a jump forward or back would show here).
  const auto up = uptimes(all);
  ASSERT_GE(up.size(), 2u) << all;
  for (size_t i = 1; i < up.size(); ++i) {
    EXPECT_GT(up[i], up[i - 1]) << all;
    EXPECT_LT(up[i] - up[i - 1], 20.0) << all;
  }
}

}  // namespace
}  // namespace vessel::test

namespace vessel::test {
namespace {

using namespace std::chrono_literals;

// Four harts, all busy, and a disk on shared storage: the disk writes made before the move
// are in the image, and the destination keeps writing to it.
TEST_F(MigrationGuest, FourBusyHartsAndADiskMove) {
  const std::string disk = dir_ + "/disk.raw";
  {
    std::ofstream f(disk, std::ios::binary);
    f << std::string(1 << 20, '\0');
  }
  auto vm = boot_source("jit", {"--cpus", "4", "--drive", "file=" + disk + ",format=raw"});
  ASSERT_TRUE(vm->expect(count_line(5), 180s)) << vm->output();
  const auto status = control(control_path(0), {{"op", "status"}});
  EXPECT_EQ(status.value("harts", 0), 4);
  auto dst = start_destination(1, {"--cpus", "4", "--engine", "interp"});
  ASSERT_TRUE(migrate(0, {{"to", "unix:" + incoming_path(1)}, {"downtime_ms", 100}}).value("ok", false));
  const auto done = wait_phase(0, {"failed", "completed"}, 240s);
  ASSERT_EQ(done.value("phase", ""), "completed") << done.dump() << vm->output() << dst->output();
  EXPECT_EQ(vm->wait_exit(60s), 5) << vm->output();
  const long last = highest_count(vm->output());
  ASSERT_TRUE(dst->expect(count_line(last + 5), 180s)) << dst->output();
  EXPECT_TRUE(control(control_path(1), {{"op", "stop"}}).value("ok", false));
  EXPECT_EQ(dst->wait_exit(60s), 0);
  // The first sector holds the last count the guest wrote and synced: one made on the
  // destination, after every one the source wrote.
  std::ifstream f(disk, std::ios::binary);
  std::string sector(14, '\0');
  f.read(sector.data(), 14);
  ASSERT_EQ(sector.substr(0, 5), "disk ") << sector;
  EXPECT_GE(std::stol(sector.substr(5, 8)), last) << sector;
  std::string all = guest_text(vm->output()) + guest_text(dst->output());
  const auto seen = counts(all);
  for (size_t i = 1; i < seen.size(); ++i) ASSERT_EQ(seen[i], seen[i - 1] + 1) << all;
}

}  // namespace
}  // namespace vessel::test
