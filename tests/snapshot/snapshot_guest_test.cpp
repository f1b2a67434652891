// Snapshot and restore of a real guest over the control socket: a counting loop keeps
// counting after `vessel run --restore`, a file in tmpfs is still there, and a damaged
// snapshot is refused with exit status 2 and a message.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "control_client.h"
#include "snapshot/snapshot_file.h"
#include "support/guest_process.h"

namespace vessel::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The guest prints C0, C1, ... (the typed command shows "C$i", never a number).
constexpr const char* kCountingLoop = "i=0; while true; do echo C$i; i=$((i+1)); usleep 20000; done\n";

// Highest count printed so far in `out` (-1 if none).
long highest_count(const std::string& out) {
  static const std::regex count(R"(\bC(\d+)\r?\n)");
  long best = -1;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), count); it != std::sregex_iterator(); ++it)
    best = std::max(best, std::stol((*it)[1]));
  return best;
}
// "C<n>", the line the loop prints for n.
std::string count_marker(long n) {
  char b[32];
  snprintf(b, sizeof b, "C%ld", n);
  return b;
}
long first_count(const std::string& out) {
  static const std::regex count(R"(\bC(\d+)\r?\n)");
  std::smatch m;
  return std::regex_search(out, m, count) ? std::stol(m[1]) : -1;
}

class SnapshotGuest : public ::testing::Test {
 protected:
  void SetUp() override {
    guest_ = guest_dir();
    ASSERT_TRUE(fs::exists(guest_ + "/Image")) << "no test guest";
    dir_ = testing::TempDir() + "/vessel-snap-" + std::to_string(getpid()) + "-" +
           testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    sock_ = dir_ + "/control.sock";
    snap_ = dir_ + "/vm.snap";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::vector<std::string> boot_args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> a = {vessel_bin(), "run", "--kernel", guest_ + "/Image", "--initrd",
                                  guest_ + "/initramfs.cpio.gz", "--append", "console=ttyS0 quiet",
                                  "--memory", "256M", "--control", sock_};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  // Boots, starts the counting loop after writing a file to tmpfs, and snapshots while it counts.
  // Returns the highest count seen before the snapshot and (in last) the last count printed.
  void boot_count_and_snapshot(long& before, long& last, std::vector<std::string> extra = {}, bool compress = false) {
    GuestProcess g(boot_args(extra));
    ASSERT_TRUE(g.expect("VESSEL-GUEST-READY", 180s)) << g.output();
    g.send("echo kept-in\"\"-tmpfs > /tmp/kept.txt\n");
    g.send(kCountingLoop);
    ASSERT_TRUE(g.expect("C25\r\n", 60s)) << g.output();
    before = highest_count(g.output());
    const auto r = control(sock_, {{"op", "snapshot"}, {"path", snap_}, {"compress", compress}});
    ASSERT_TRUE(r.is_object() && r.value("ok", false)) << r.dump();
    EXPECT_EQ(r["bytes"].get<uint64_t>(), fs::file_size(snap_));
    EXPECT_GT(r["memory_pages"].get<uint64_t>(), 100u);
    EXPECT_LT(r["memory_pages"].get<uint64_t>(), 65536u) << "untouched pages are not saved";
    EXPECT_EQ(r["state"], "running") << "returns to the state it was in";
    // It keeps counting after the snapshot, then we stop it.
    ASSERT_TRUE(g.expect(count_marker(before + 10), 60s)) << g.output();
    EXPECT_TRUE(control(sock_, {{"op", "stop"}}).value("ok", false));
    EXPECT_EQ(g.wait_exit(60s), 0) << g.output();
    last = highest_count(g.output());
  }
  std::string guest_, dir_, sock_, snap_;
};

// Control clients that hang up before reading their answer leave the VM running (the answer
// must not raise SIGPIPE in the VMM).
TEST_F(SnapshotGuest, ControlClientsHangingUpDoNotStopTheVm) {
  GuestProcess g(boot_args());
  ASSERT_TRUE(wait_for_vm(sock_, 60s)) << g.output();
  for (int i = 0; i < 50; ++i) {
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock_.c_str());
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    const std::string line = R"({"op":"status"})" "\n";
    ASSERT_EQ(send(fd, line.data(), line.size(), MSG_NOSIGNAL), static_cast<ssize_t>(line.size()));
    close(fd);
  }
  EXPECT_FALSE(g.wait_exit(0s).has_value()) << g.output();
  const auto r = control(sock_, {{"op", "status"}});
  EXPECT_TRUE(r.is_object() && r.value("ok", false)) << r.dump() << g.output();
  EXPECT_TRUE(control(sock_, {{"op", "stop"}}).value("ok", false));
  EXPECT_EQ(g.wait_exit(60s), 0) << g.output();
}

TEST_F(SnapshotGuest, RestoredGuestKeepsCountingAndKeepsItsFiles) {
  long before = 0, last = 0;
  ASSERT_NO_FATAL_FAILURE(boot_count_and_snapshot(before, last, {"--cpus", "2"}));
  GuestProcess g({vessel_bin(), "run", "--restore", snap_, "--control", sock_});
  ASSERT_TRUE(g.expect("\n", 30s)) << g.output();
  ASSERT_TRUE(wait_for_vm(sock_, 30s));
  ASSERT_TRUE(g.expect(count_marker(before + 40), 60s)) << g.output();
  const long first = first_count(g.output());
  // Its memory is mapped from the snapshot file; a new snapshot to the same path replaces the
  // file without disturbing the running guest.
  const auto again = control(sock_, {{"op", "snapshot"}, {"path", snap_}});
  ASSERT_TRUE(again.value("ok", false)) << again.dump();
  ASSERT_TRUE(g.expect(count_marker(before + 80), 60s)) << g.output();
  // The loop continues from where the snapshot stopped it: not from zero, not past the
  // original run's end.
  EXPECT_GE(first, before) << g.output();
  EXPECT_LE(first, last + 1) << g.output();
  const auto status = control(sock_, {{"op", "status"}});
  EXPECT_EQ(status["state"], "running") << status.dump();
  EXPECT_EQ(status["harts"], 2) << status.dump();
  g.send("\x03");
  g.send("cat /tmp/kept.txt\n");
  EXPECT_TRUE(g.expect("kept-in-tmpfs", 30s)) << g.output();
  // Both harts came back online and run processes.
  g.send("echo harts-$(grep -c ^processor /proc/cpuinfo)-online\n");
  EXPECT_TRUE(g.expect("harts-2-online", 30s)) << g.output();
  g.send("poweroff -f\n");
  EXPECT_EQ(g.wait_exit(60s), 0) << g.output();
}

TEST_F(SnapshotGuest, CompressedSnapshotRestoredPausedThenResumed) {
  long before = 0, last = 0;
  ASSERT_NO_FATAL_FAILURE(boot_count_and_snapshot(before, last, {}, true));
  GuestProcess g({vessel_bin(), "run", "--restore", snap_, "--control", sock_, "--paused"});
  ASSERT_TRUE(wait_for_vm(sock_, 30s));
  const auto status = control(sock_, {{"op", "status"}});
  EXPECT_EQ(status["state"], "paused") << status.dump();
  const uint64_t instructions = status["instructions"];
  // A snapshot of the paused VM leaves it paused.
  const auto again = control(sock_, {{"op", "snapshot"}, {"path", dir_ + "/again.snap"}, {"compress", true}});
  ASSERT_TRUE(again.value("ok", false)) << again.dump();
  EXPECT_EQ(again["state"], "paused");
  EXPECT_EQ(control(sock_, {{"op", "status"}})["instructions"].get<uint64_t>(), instructions)
      << "no instruction runs while paused";
  EXPECT_TRUE(control(sock_, {{"op", "resume"}}).value("ok", false));
  EXPECT_TRUE(g.expect(count_marker(before + 20), 60s)) << g.output();
  EXPECT_TRUE(control(sock_, {{"op", "stop"}}).value("ok", false));
  EXPECT_EQ(g.wait_exit(60s), 0);
}

TEST_F(SnapshotGuest, DamagedSnapshotsAreRefused) {
  long before = 0, last = 0;
  ASSERT_NO_FATAL_FAILURE(boot_count_and_snapshot(before, last));
  const auto size = fs::file_size(snap_);
  auto restore_fails = [&](const std::string& file, const std::string& message) {
    GuestProcess g({vessel_bin(), "run", "--restore", file});
    EXPECT_EQ(g.wait_exit(60s), 2) << g.output();
    EXPECT_NE(g.output().find(message), std::string::npos) << g.output();
  };
  // Truncated.
  fs::copy_file(snap_, dir_ + "/cut.snap");
  fs::resize_file(dir_ + "/cut.snap", size - 1000);
  restore_fails(dir_ + "/cut.snap", "truncated");
  fs::copy_file(snap_, dir_ + "/short.snap");
  fs::resize_file(dir_ + "/short.snap", 20);
  restore_fails(dir_ + "/short.snap", "too short");
  // One byte changed in the middle (memory data).
  fs::copy_file(snap_, dir_ + "/flip.snap");
  {
    std::fstream f(dir_ + "/flip.snap", std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(size / 2));
    char c;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(size / 2));
    f.put(static_cast<char>(c ^ 0x5a));
  }
  restore_fails(dir_ + "/flip.snap", "checksum mismatch");
  // Not a snapshot at all, and no file.
  restore_fails(guest_ + "/Image", "not a Vessel snapshot");
  restore_fails(dir_ + "/missing.snap", "cannot open");
  // --restore with machine options is a usage error.
  GuestProcess g({vessel_bin(), "run", "--restore", snap_, "--memory", "512M"});
  EXPECT_EQ(g.wait_exit(30s), 2);
  EXPECT_NE(g.output().find("cannot be used with --restore"), std::string::npos) << g.output();
}

// Sections that pass the container's checks (a valid checksum) but whose content is short or
// garbled must still be refused, naming what is wrong, and never crash the VMM.
TEST_F(SnapshotGuest, DamagedSectionsWithValidChecksumsAreRefused) {
  long before = 0, last = 0;
  ASSERT_NO_FATAL_FAILURE(boot_count_and_snapshot(before, last));
  auto file = snapshot::SnapshotFile::open(snap_);
  ASSERT_TRUE(file) << file.error();
  const auto& sections = file.value()->sections();
  int variant = 0;
  for (size_t i = 0; i < sections.size(); ++i) {
    for (int how = 0; how < 3; ++how) {  // 0: one byte short, 1: one byte more, 2: a garbled byte
      std::vector<std::vector<uint8_t>> copies;
      std::vector<snapshot::SectionView> views;
      for (size_t j = 0; j < sections.size(); ++j) {
        copies.emplace_back(sections[j].data, sections[j].data + sections[j].size);
        auto& c = copies.back();
        if (j == i && how == 0 && !c.empty()) c.pop_back();
        if (j == i && how == 1) c.push_back(0);
        if (j == i && how == 2 && !c.empty()) c[c.size() / 3] ^= 0xa5;
      }
      for (size_t j = 0; j < sections.size(); ++j) views.push_back({sections[j].tag, copies[j].data(), copies[j].size()});
      const std::string bad = dir_ + "/bad" + std::to_string(variant++) + ".snap";
      ASSERT_TRUE(snapshot::write_snapshot_file(bad, views));
      GuestProcess g({vessel_bin(), "run", "--restore", bad, "--paused", "--control", sock_});
      const std::string what = snapshot::tag_name(sections[i].tag) + (how == 0 ? " short" : how == 1 ? " long" : " garbled");
      // A garbled value may still be a valid one (a register, a memory byte): then the VM
      // comes up, and we stop it. Anything else must be refused.
      std::optional<int> status;
      bool up = false;
      for (const auto deadline = std::chrono::steady_clock::now() + 30s;
           !status && !up && std::chrono::steady_clock::now() < deadline;) {
        status = g.wait_exit(0s);
        const auto r = status || how != 2 ? nlohmann::json() : control(sock_, {{"op", "status"}});
        up = r.is_object() && r.value("ok", false);
        if (!status && !up) std::this_thread::sleep_for(5ms);  // poll interval
      }
      if (up) {
        control(sock_, {{"op", "stop"}});
        EXPECT_EQ(g.wait_exit(30s), 0) << what << ": " << g.output();
        continue;
      }
      ASSERT_TRUE(status.has_value()) << what;
      EXPECT_EQ(*status, 2) << what << ": " << g.output();
      EXPECT_NE(g.output().find("refused"), std::string::npos) << what << ": " << g.output();
    }
  }
}

TEST_F(SnapshotGuest, DiskImagesAreReferencedNotCopied) {
  const std::string disk = dir_ + "/disk.raw";
  {
    std::ofstream(disk, std::ios::binary).write("", 0);
    fs::resize_file(disk, 16 << 20);
  }
  long before = 0, last = 0;
  ASSERT_NO_FATAL_FAILURE(boot_count_and_snapshot(before, last, {"--drive", "file=" + disk + ",format=raw"}));
  EXPECT_LT(fs::file_size(snap_), 16u << 20);
  fs::rename(disk, disk + ".moved");
  GuestProcess g({vessel_bin(), "run", "--restore", snap_});
  EXPECT_EQ(g.wait_exit(60s), 2) << g.output();
  EXPECT_NE(g.output().find(disk), std::string::npos) << "names the missing image: " << g.output();
}

}  // namespace
}  // namespace vessel::test
