// The Cgroup class on this host's hierarchies, also in v1-only ("legacy") mode: a hybrid host
// run without its unified hierarchy behaves like a v1 host (freezer-based kill, no cgroup.kill).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "container/cgroup.h"
#include "container/error.h"
#include "container/state_store.h"
#include "runtime_harness.h"

namespace vessel::container::testing {
namespace {

// `with_limits`: also set and read pids and memory limits (needs those controllers).
void exercise(const CgroupLayout& layout, const std::string& path, bool with_limits = true) {
  Cgroup cgroup(layout, path);
  cgroup.create();
  ResourcesSpec limits;
  if (with_limits) {
    limits.pids_limit = 32;
    limits.memory_limit = 64 << 20;
  }
  cgroup.apply(limits);
  int go[2], report[2];
  ASSERT_EQ(pipe(go), 0);
  ASSERT_EQ(pipe(report), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    // Wait until we are in the cgroup, then start a family: a head with three children, all
    // pausing. The head reports once its children exist.
    char c;
    (void)!read(go[0], &c, 1);
    const pid_t head = fork();
    if (head == 0) {
      for (int i = 0; i < 3; ++i)
        if (fork() == 0) {
          pause();
          _exit(0);
        }
      (void)!write(report[1], "r", 1);
      pause();
      _exit(0);
    }
    waitpid(head, nullptr, 0);
    _exit(0);
  }
  close(go[0]);
  close(report[1]);
  cgroup.add_process(pid);
  (void)!write(go[1], "g", 1);
  char c = 0;
  ASSERT_EQ(read(report[0], &c, 1), 1);
  close(go[1]);
  close(report[0]);
  EXPECT_EQ(cgroup.processes().size(), 5u);
  if (with_limits) {
    const CgroupStats stats = cgroup.stats();
    EXPECT_EQ(stats.pids_current, 5u);
    EXPECT_EQ(stats.pids_limit, 32u);
    EXPECT_EQ(stats.memory_limit, 64u << 20);
  }
  cgroup.signal_all(SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(cgroup.wait_empty(5000));
  cgroup.destroy();
  for (const auto& h : layout.hierarchies) {
    EXPECT_NE(access(cgroup.dir_in(h).c_str(), F_OK), 0) << h.mount_point;
    rmdir((h.mount_point + "/vessel-test").c_str());
  }
}

class CgroupModes : public ContainerTest {};

TEST_F(CgroupModes, HostLayout) {
  exercise(discover_cgroup_layout(), "/vessel-test/host-" + std::to_string(getpid()));
}

TEST_F(CgroupModes, LegacyV1WithoutUnifiedHierarchy) {
  CgroupLayout layout = discover_cgroup_layout();
  if (layout.mode != CgroupMode::Hybrid) GTEST_SKIP() << "needs a hybrid host to drop its unified hierarchy";
  std::erase_if(layout.hierarchies, [](const CgroupHierarchy& h) { return h.v2; });
  layout.mode = CgroupMode::Legacy;
  exercise(layout, "/vessel-test/legacy-" + std::to_string(getpid()));
}

TEST_F(CgroupModes, UnifiedTreeAloneTracksAndKills) {
  // On a hybrid host the unified tree has (almost) no controllers, but process tracking,
  // cgroup.kill and cgroup.events are the v2 code paths a pure v2 host uses.
  CgroupLayout layout = discover_cgroup_layout();
  if (layout.mode != CgroupMode::Hybrid) GTEST_SKIP() << "pure v1 and v2 hosts are covered by HostLayout";
  std::erase_if(layout.hierarchies, [](const CgroupHierarchy& h) { return !h.v2; });
  layout.mode = CgroupMode::Unified;
  exercise(layout, "/vessel-test/unified-" + std::to_string(getpid()), /*with_limits=*/false);

  // linux.resources.unified writes raw v2 files.
  Cgroup raw(layout, "/vessel-test/unified-raw-" + std::to_string(getpid()));
  raw.create();
  ResourcesSpec r;
  r.unified = {{"cgroup.max.descendants", "7"}};
  raw.apply(r);
  EXPECT_EQ(read_whole_file(raw.dir_in(*layout.unified()) + "/cgroup.max.descendants").value_or(""), "7\n");
  r.unified = {{"../escape", "1"}};
  EXPECT_THROW(raw.apply(r), Error);
  raw.destroy();
  rmdir((layout.unified()->mount_point + "/vessel-test").c_str());
}

}  // namespace
}  // namespace vessel::container::testing
