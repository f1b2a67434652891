#include <gtest/gtest.h>

#include "container/cgroup.h"
#include "container/cgroup_hierarchy.h"
#include "container/error.h"

using namespace vessel::container;

namespace {
const char* const kHybrid =
    "35 25 0:30 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755\n"
    "36 35 0:31 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
    "37 35 0:32 / /sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup rw,xattr,name=systemd\n"
    "38 35 0:33 / /sys/fs/cgroup/memory rw,nosuid shared:12 - cgroup cgroup rw,memory\n"
    "39 35 0:34 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:13 - cgroup cgroup rw,cpu,cpuacct\n"
    "40 35 0:35 / /sys/fs/cgroup/pids rw,nosuid shared:14 - cgroup cgroup rw,pids\n";
const char* const kUnified = "30 25 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";
}  // namespace

TEST(CgroupLayout, DetectsHybrid) {
  const CgroupLayout layout = parse_cgroup_layout(kHybrid, "");
  EXPECT_EQ(layout.mode, CgroupMode::Hybrid);
  ASSERT_NE(layout.find("memory"), nullptr);
  EXPECT_EQ(layout.find("memory")->mount_point, "/sys/fs/cgroup/memory");
  ASSERT_NE(layout.find("cpuacct"), nullptr);
  EXPECT_EQ(layout.find("cpuacct")->mount_point, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_NE(layout.find("name=systemd"), nullptr);
  ASSERT_NE(layout.unified(), nullptr);
  EXPECT_EQ(layout.unified()->mount_point, "/sys/fs/cgroup/unified");
}

TEST(CgroupLayout, DetectsLegacyWithoutUnified) {
  std::string v1 = kHybrid;
  v1.erase(v1.find("36 35"), v1.find("37 35") - v1.find("36 35"));
  const CgroupLayout layout = parse_cgroup_layout(v1, "");
  EXPECT_EQ(layout.mode, CgroupMode::Legacy);
  EXPECT_EQ(layout.unified(), nullptr);
}

TEST(CgroupLayout, DetectsUnifiedWithControllers) {
  const CgroupLayout layout = parse_cgroup_layout(kUnified, "cpuset cpu io memory pids\n");
  EXPECT_EQ(layout.mode, CgroupMode::Unified);
  ASSERT_NE(layout.find("memory"), nullptr);
  EXPECT_EQ(layout.find("pids")->mount_point, "/sys/fs/cgroup");
}

TEST(CgroupLayout, HostLayoutIsOneOfTheThree) {
  const CgroupLayout layout = discover_cgroup_layout();
  EXPECT_FALSE(layout.hierarchies.empty()) << "no cgroup hierarchy mounted";
}

TEST(CgroupPath, DefaultsAbsoluteRelativeAndSystemd) {
  EXPECT_EQ(cgroup_path_for("", "abc", false), "/vessel/abc");
  const std::string other = cgroup_path_for("", "abc", false, "/tmp/elsewhere");
  EXPECT_EQ(other.rfind("/vessel/", 0), 0u);
  EXPECT_EQ(other.substr(other.size() - 4), "-abc");
  EXPECT_NE(other, cgroup_path_for("", "abc", false, "/tmp/another"));
  EXPECT_EQ(cgroup_path_for("/libpod_parent/libpod-x", "abc", false), "/libpod_parent/libpod-x");
  EXPECT_EQ(cgroup_path_for("mine/x/", "abc", false), "/mine/x");
  EXPECT_EQ(cgroup_path_for("machine.slice:libpod:abc", "abc", true), "/machine.slice/libpod-abc.scope");
  EXPECT_THROW(cgroup_path_for("/a/../../etc", "abc", false), Error);
}

TEST(CgroupPath, SharesToWeight) {
  EXPECT_EQ(cpu_shares_to_weight(2), 1u);
  EXPECT_EQ(cpu_shares_to_weight(262144), 10000u);
  EXPECT_EQ(cpu_shares_to_weight(1024), 39u);
}
