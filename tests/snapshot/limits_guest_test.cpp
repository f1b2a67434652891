// Resource limits on a real guest, measured by the VMM's own accounting (the metrics op) and by
// the guest: a CPU cap of 25 % of a core, a drive limited to 2 MiB/s, and limits changed while
// the VM runs. Rates are measured over a few seconds of wall time with tolerances.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <cstdio>
#include <thread>

#include "control_client.h"
#include "support/guest_process.h"

namespace vessel::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class LimitsGuest : public ::testing::Test {
 protected:
  void SetUp() override {
    guest_ = guest_dir();
    ASSERT_TRUE(fs::exists(guest_ + "/Image")) << "no test guest";
    dir_ = testing::TempDir() + "/vessel-limits-" + std::to_string(getpid()) + "-" +
           testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    sock_ = dir_ + "/control.sock";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::vector<std::string> args(std::vector<std::string> extra) const {
    std::vector<std::string> a = {vessel_bin(), "run", "--kernel", guest_ + "/Image", "--initrd",
                                  guest_ + "/initramfs.cpio.gz", "--append", "console=ttyS0 quiet",
                                  "--control", sock_};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  // Share of one host core the vCPUs used over `wall` of wall time, from the metrics op.
  double measured_cpu_share(std::chrono::milliseconds wall) {
    const auto m0 = control(sock_, {{"op", "metrics"}});
    const auto t0 = std::chrono::steady_clock::now();
    const auto deadline = t0 + wall;
    while (std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);  // let wall time pass
    const auto m1 = control(sock_, {{"op", "metrics"}});
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return (m1["vcpu_seconds"].get<double>() - m0["vcpu_seconds"].get<double>()) / elapsed;
  }
  std::string guest_, dir_, sock_;
};

TEST_F(LimitsGuest, CpuCapOfAQuarterCoreAndChangedWhileRunning) {
  GuestProcess g(args({"--cpu-cap", "0.25"}));
  ASSERT_TRUE(g.expect("VESSEL-GUEST-READY", 300s)) << g.output();
  g.send("while true; do :; done\n");  // a busy guest
  ASSERT_TRUE(wait_for_vm(sock_, 10s));
  const auto limits = control(sock_, {{"op", "limits"}});
  EXPECT_DOUBLE_EQ(limits["limits"]["cpu_cap"].get<double>(), 0.25) << limits.dump();
  measured_cpu_share(500ms);  // the loop is running
  const double quarter = measured_cpu_share(4s);
  EXPECT_GE(quarter, 0.20);
  EXPECT_LE(quarter, 0.30);
  const auto metrics = control(sock_, {{"op", "metrics"}});
  EXPECT_GT(metrics["vcpu_throttled_seconds"].get<double>(), 1.0) << metrics.dump();

  const auto set = control(sock_, {{"op", "limits"}, {"cpu_cap", 0.5}});
  ASSERT_TRUE(set.value("ok", false)) << set.dump();
  const double half = measured_cpu_share(4s);
  EXPECT_GE(half, 0.38) << "the host may be busy, but twice the cap must show";
  EXPECT_LE(half, 0.58);
  EXPECT_GT(half, quarter * 1.5);
  printf("measured CPU share: cap 0.25 -> %.3f, cap 0.5 -> %.3f of a core\n", quarter, half);

  // Bad requests change nothing.
  for (const char* bad : {R"({"op":"limits","cpu_cap":-1})", R"({"op":"limits","cpu_cap":"x"})",
                          R"({"op":"limits","cpu_cap":0.1,"drives":[{"index":0,"bps":1}]})",
                          R"({"op":"limits","cpu":0.1})"}) {
    const auto r = control(sock_, nlohmann::json::parse(bad));
    EXPECT_FALSE(r.value("ok", true)) << bad;
    EXPECT_FALSE(r.value("error", "").empty()) << bad;
  }
  EXPECT_DOUBLE_EQ(control(sock_, {{"op", "limits"}})["limits"]["cpu_cap"].get<double>(), 0.5);
  EXPECT_TRUE(control(sock_, {{"op", "stop"}}).value("ok", false));
  EXPECT_EQ(g.wait_exit(60s), 0);
}

// Reads `mib` MiB from /dev/vda with direct I/O in the guest; returns dd's own rate in MiB/s.
double guest_dd_rate(GuestProcess& g, int mib, int run) {
  const std::string marker = "DD" + std::to_string(run) + "-DONE";
  g.send("dd if=/dev/vda of=/dev/null bs=64k count=" + std::to_string(mib * 16) +
         " iflag=direct; echo " + marker.substr(0, 3) + "\"\"" + marker.substr(3) + "\n");
  EXPECT_TRUE(g.expect(marker, 120s)) << g.output();
  // busybox: "6291456 bytes (6.0MB) copied, 3.000964 seconds, 2.0MB/s"
  static const std::regex report(R"((\d+) bytes .*copied, ([0-9.]+) seconds)");
  std::smatch m;
  std::string out = g.output();
  double rate = -1;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), report); it != std::sregex_iterator(); ++it)
    rate = std::stod((*it)[1]) / (1 << 20) / std::stod((*it)[2]);  // the last report
  return rate;
}

TEST_F(LimitsGuest, DriveBandwidthAndIopsLimits) {
  const std::string disk = dir_ + "/disk.raw";
  std::ofstream(disk, std::ios::binary).put(1);
  fs::resize_file(disk, 64 << 20);
  GuestProcess g(args({"--drive", "file=" + disk + ",format=raw,bps=2M"}));
  ASSERT_TRUE(g.expect("VESSEL-GUEST-READY", 300s)) << g.output();
  ASSERT_TRUE(wait_for_vm(sock_, 10s));
  const double limited = guest_dd_rate(g, 6, 1);
  EXPECT_GE(limited, 2 * 0.8) << g.output();
  EXPECT_LE(limited, 2 * 1.12) << g.output();
  auto m = control(sock_, {{"op", "metrics"}});
  EXPECT_GE(m["drives"][0]["read_bytes"].get<uint64_t>(), 6u << 20) << m.dump();
  EXPECT_GT(m["drives"][0]["throttled"].get<uint64_t>(), 0u) << m.dump();

  // Raised while running: takes effect for the next requests.
  auto r = control(sock_, {{"op", "limits"}, {"drives", {{{"index", 0}, {"bps", 8 << 20}}}}});
  ASSERT_TRUE(r.value("ok", false)) << r.dump();
  EXPECT_EQ(r["limits"]["drives"][0]["bps"], 8 << 20);
  const double raised = guest_dd_rate(g, 12, 2);
  EXPECT_GE(raised, limited * 2) << g.output();
  EXPECT_LE(raised, 8 * 1.12) << g.output();

  // Requests per second: 64 KiB requests at 20/s make 1.25 MiB/s.
  r = control(sock_, {{"op", "limits"}, {"drives", {{{"index", 0}, {"bps", 0}, {"iops", 20}}}}});
  ASSERT_TRUE(r.value("ok", false)) << r.dump();
  const double by_ops = guest_dd_rate(g, 3, 3);
  EXPECT_GE(by_ops, 1.25 * 0.8) << g.output();
  EXPECT_LE(by_ops, 1.25 * 1.12) << g.output();

  printf("guest dd rate: bps=2M -> %.2f MiB/s, bps=8M -> %.2f MiB/s, iops=20 x 64 KiB -> %.2f MiB/s\n", limited,
         raised, by_ops);
  r = control(sock_, {{"op", "limits"}, {"drives", {{{"index", 1}, {"bps", 1}}}}});
  EXPECT_FALSE(r.value("ok", true));
  EXPECT_NE(r.value("error", "").find("no drives with index 1"), std::string::npos) << r.dump();
  EXPECT_TRUE(control(sock_, {{"op", "stop"}}).value("ok", false));
  EXPECT_EQ(g.wait_exit(60s), 0);
}

}  // namespace
}  // namespace vessel::test
