// SMP correctness under load: a TLB-shootdown storm (guest/tlb_storm.c: mprotect and munmap in
// several threads, fork/exec loops) on 2, 4 and 8 harts under both engines, first alone, then
// with pause/resume and snapshots from the control socket while it runs.
//
// Before cross-hart waits served the waiting hart's own requests (src/vmm/cross_hart_wait.cpp),
// two harts fencing each other each spun in sched_yield for the other's acknowledgement. Every
// case here then deadlocked as soon as the storm began: 30 of 30 runs (5 per case) stopped
// before worker 0's first tick, within a second of the storm starting, all vCPU threads in
// remote_sfence -> sched_yield (gdb); the test failed at its first STORM-TICK after its budget.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>

#include "snapshot/control_client.h"
#include "support/cpio_archive.h"
#include "support/guest_process.h"

namespace vessel::test {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

struct StormCase {
  unsigned harts;
  const char* engine;
  int tick;  // worker 0's rounds between two STORM-TICK lines (the interpreter is slower)
};

void PrintTo(const StormCase& c, std::ostream* os) { *os << c.harts << " harts, " << c.engine; }

constexpr int kQuietTicks = 4;  // ticks of the storm alone: where the deadlock showed
constexpr int kBusyTicks = 6;   // ticks with one control operation after each
constexpr auto kBudget = 100s;  // the whole test, boot to exit

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Counts from "STORM-DONE rounds=1 mprotect=2 ...": name -> value.
std::map<std::string, long> storm_counts(const std::string& out) {
  std::map<std::string, long> counts;
  const size_t at = out.rfind("STORM-DONE");
  if (at == std::string::npos) return counts;
  const std::string line = out.substr(at, out.find('\n', at) - at);
  static const std::regex field(R"((\w+)=(\d+))");
  for (auto it = std::sregex_iterator(line.begin(), line.end(), field); it != std::sregex_iterator(); ++it)
    counts[(*it)[1]] = std::stol((*it)[2]);
  return counts;
}

class SmpStress : public ::testing::TestWithParam<StormCase> {
 protected:
  void SetUp() override {
    if (std::string(TLB_STORM).empty()) GTEST_SKIP() << "riscv64-linux-gnu-gcc not found: cannot build the storm program";
    const std::string guest = guest_dir();
    if (guest.empty() || !fs::exists(guest + "/Image"))
      GTEST_SKIP() << "no test guest (scripts/guest-dir.sh found none): " << guest;
    image_ = guest + "/Image";
    dir_ = testing::TempDir() + "/vessel-storm-" + std::to_string(getpid()) + "-" +
           std::to_string(GetParam().harts) + GetParam().engine;
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const StormCase& c = GetParam();
    const std::string run = "#!/bin/sh\nexec /bin/tlb-storm " + std::to_string(c.harts) + " " +
                            std::to_string(std::max(1u, c.harts / 2)) + " " + std::to_string(c.tick) + "\n";
    ASSERT_TRUE(compose_initramfs(guest + "/initramfs.cpio.gz",
                                  {{"bin", 040755, ""},
                                   {"bin/tlb-storm", 0100755, read_file(TLB_STORM)},
                                   {"etc", 040755, ""},
                                   {"etc/run", 040755, ""},
                                   {"etc/run/storm.sh", 0100755, run}},
                                  dir_ + "/initramfs.cpio"));
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  // Time left of the test's budget (at least a second, so a late step still reports).
  seconds left() const { return std::max(1s, duration_cast<seconds>(deadline_ - steady_clock::now())); }
  nlohmann::json op(const nlohmann::json& request) const { return control(dir_ + "/control.sock", request); }

  std::string image_, dir_;
  steady_clock::time_point deadline_ = steady_clock::now() + kBudget;
};

TEST_P(SmpStress, StormSurvivesPauseResumeAndSnapshots) {
  const StormCase& c = GetParam();
  GuestProcess vm({vessel_bin(), "run", "--kernel", image_, "--initrd", dir_ + "/initramfs.cpio", "--append",
                   "console=ttyS0 quiet run=storm", "--cpus", std::to_string(c.harts), "--engine", c.engine,
                   "--memory", "128M", "--control", dir_ + "/control.sock"});
  ASSERT_TRUE(vm.expect("STORM-START", left())) << vm.output();
  for (int i = 0; i < kQuietTicks; ++i) ASSERT_TRUE(vm.expect("STORM-TICK", left())) << "tick " << i << "\n" << vm.output();

  // One control operation per tick, so the storm runs between them: pause and resume, a
  // snapshot of the running VM, a snapshot taken while paused.
  int pauses = 0, snapshots = 0;
  for (int i = 0; i < kBusyTicks; ++i) {
    ASSERT_TRUE(vm.expect("STORM-TICK", left())) << "tick " << kQuietTicks + i << "\n" << vm.output();
    const bool pause = i % 3 != 1;
    if (pause) {
      ASSERT_EQ(op({{"op", "pause"}}).value("ok", false), true);
      ASSERT_EQ(op({{"op", "status"}}).value("state", ""), "paused");
      ++pauses;
    }
    if (i % 3 != 0) {
      const auto r = op({{"op", "snapshot"}, {"path", dir_ + "/vm.snap"}});
      ASSERT_TRUE(r.value("ok", false)) << r.dump();
      EXPECT_EQ(r.value("state", ""), pause ? "paused" : "running") << r.dump();
      ++snapshots;
    }
    if (pause) {
      ASSERT_EQ(op({{"op", "resume"}}).value("ok", false), true);
    }
  }
  EXPECT_EQ(pauses, 4);
  EXPECT_EQ(snapshots, 4);

  vm.send("stop\n");
  ASSERT_TRUE(vm.expect("STORM-DONE", left())) << vm.output();
  ASSERT_TRUE(vm.expect("\n", left())) << vm.output();  // the whole line, with every count
  auto n = storm_counts(vm.output());
  std::cout << "storm on " << c.harts << " harts (" << c.engine << "):";  // the work done, for the log
  for (const auto& [key, value] : n) std::cout << " " << key << "=" << value;
  std::cout << "\n";
  for (const char* key : {"rounds", "mprotect", "munmap", "faults", "forks", "failures"})
    ASSERT_EQ(n.count(key), 1u) << "no " << key << " in STORM-DONE\n" << vm.output();
  EXPECT_EQ(n.at("failures"), 0) << vm.output();
  EXPECT_GE(n.at("rounds"), long{kQuietTicks + kBusyTicks} * c.tick) << vm.output();
  EXPECT_EQ(n.at("mprotect"), 2 * n.at("faults")) << "every read-only page must fault on write\n" << vm.output();
  EXPECT_EQ(n.at("munmap"), 2 * n.at("rounds"));
  EXPECT_GT(n.at("forks"), 0) << vm.output();
  EXPECT_TRUE(vm.expect("VESSEL-RUN-EXIT=0", left())) << vm.output();
  EXPECT_EQ(vm.wait_exit(left()), 0) << vm.output();
}

INSTANTIATE_TEST_SUITE_P(Harts, SmpStress,
                         ::testing::Values(StormCase{2, "jit", 400}, StormCase{4, "jit", 100}, StormCase{8, "jit", 50},
                                           StormCase{2, "interp", 250}, StormCase{4, "interp", 50},
                                           StormCase{8, "interp", 25}),
                         [](const ::testing::TestParamInfo<StormCase>& info) {
                           return std::to_string(info.param.harts) + "_" + info.param.engine;
                         });

}  // namespace
}  // namespace vessel::test
