// cgroup limits and statistics: memory (OOM kill reported), pids, cpu, rlimits.
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fstream>

#include "container/cgroup_hierarchy.h"
#include "container/state_store.h"
#include "runtime_harness.h"

namespace vessel::container::testing {
namespace {

class Limits : public ContainerTest {};

TEST_F(Limits, MemoryHogBeyondTheLimitIsOomKilledAndReported) {
  auto config = config_for({"sh", "-c", "x=$(head -c 80000000 /dev/zero | tr '\\0' a); echo survived"});
  config["linux"]["resources"]["memory"]["limit"] = 16 << 20;
  const auto r = run_container(config);
  EXPECT_EQ(r.status, 128 + 9);
  EXPECT_EQ(r.out.find("survived"), std::string::npos);
  EXPECT_NE(r.err.find("OOM"), std::string::npos) << r.err;
}

TEST_F(Limits, ForkBombStopsAtThePidsLimit) {
  // The bomb runs in a subshell (busybox sh exits when fork fails); the count uses only
  // builtins, since no fork is possible once the limit is reached.
  auto config = config_for({"sh", "-c",
                            "( i=0; while [ $i -lt 60 ]; do sleep 30 & i=$((i+1)); done ) 2>/dev/null; "
                            "n=0; for p in /proc/[0-9]*; do n=$((n+1)); done; echo $n"});
  config["linux"]["resources"]["pids"]["limit"] = 16;
  const auto r = run_container(config);
  ASSERT_EQ(r.status, 0) << r.err;
  const int visible = std::stoi(r.out);
  EXPECT_LE(visible, 16);
  EXPECT_GE(visible, 8) << "the limit should allow a few processes";
}

TEST_F(Limits, CpuQuotaSharesAndStats) {
  auto config = config_for({"sleep", "1000"});
  config["linux"]["resources"]["cpu"] = {{"quota", 50000}, {"period", 100000}, {"shares", 512}};
  config["linux"]["resources"]["memory"]["limit"] = 64 << 20;
  ASSERT_GT(start_container("cpu", config), 0);
  const CgroupLayout layout = discover_cgroup_layout();
  if (layout.mode == CgroupMode::Unified) {
    EXPECT_EQ(read_whole_file(layout.unified()->mount_point + cgroup_of("cpu") + "/cpu.max").value_or(""), "50000 100000\n");
  } else {
    const std::string dir = layout.find("cpu")->mount_point + cgroup_of("cpu");
    EXPECT_EQ(read_whole_file(dir + "/cpu.cfs_quota_us").value_or(""), "50000\n");
    EXPECT_EQ(read_whole_file(dir + "/cpu.shares").value_or(""), "512\n");
  }
  const auto stats = runtime({"events", "--stats", "cpu"});
  const auto j = nlohmann::json::parse(stats.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << stats.out << stats.err;
  EXPECT_EQ(j["data"]["memory"]["usage"]["limit"], 64 << 20);
  EXPECT_GT(j["data"]["memory"]["usage"]["usage"].get<uint64_t>(), 0u);
  EXPECT_GE(j["data"]["pids"]["current"].get<uint64_t>(), 1u);
}

TEST_F(Limits, BlockIoThrottleOnTheRootDisk) {
  const CgroupLayout layout = discover_cgroup_layout();
  struct stat st {};
  ASSERT_EQ(stat("/", &st), 0);
  // The disk holding "/" (st_dev of an ext4 root is the block device itself on these machines).
  const std::string sys = "/sys/dev/block/" + std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
  if (access(sys.c_str(), F_OK) != 0) GTEST_SKIP() << "the root filesystem is not on a block device";
  const CgroupHierarchy* blkio = layout.mode == CgroupMode::Unified ? layout.unified() : layout.find("blkio");
  if (!blkio) GTEST_SKIP() << "no blkio/io controller";
  auto config = config_for({"sleep", "1000"});
  config["linux"]["resources"]["blockIO"]["throttleReadBpsDevice"] = {
      {{"major", major(st.st_dev)}, {"minor", minor(st.st_dev)}, {"rate", 1048576}}};
  ASSERT_GT(start_container("blkio", config), 0);
  const std::string file = layout.mode == CgroupMode::Unified ? "/io.max" : "/blkio.throttle.read_bps_device";
  const std::string text = read_whole_file(blkio->mount_point + cgroup_of("blkio") + file).value_or("");
  EXPECT_NE(text.find(std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev))), std::string::npos) << text;
  EXPECT_NE(text.find("1048576"), std::string::npos) << text;
}

TEST_F(Limits, RlimitsApply) {
  auto config = config_for({"sh", "-c", "ulimit -n; ulimit -H -n"});
  config["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", 77}, {"hard", 99}}};
  const auto r = run_container(config);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "77\n99\n");
}

}  // namespace
}  // namespace vessel::container::testing
