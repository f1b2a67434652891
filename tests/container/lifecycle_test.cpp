// create/start/state/kill/delete/run/exec across separate runtime invocations.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <set>

#include "container/cgroup.h"
#include "container/cgroup_hierarchy.h"
#include "container/state_store.h"
#include "runtime_harness.h"

namespace vessel::container::testing {
namespace {

class Lifecycle : public ContainerTest {};

bool cgroup_exists_anywhere(const std::string& path) {
  for (const auto& h : discover_cgroup_layout().hierarchies)
    if (access((h.mount_point + path).c_str(), F_OK) == 0) return true;
  return false;
}

TEST_F(Lifecycle, CreateStartStateKillDelete) {
  const auto created = runtime({"create", "--bundle", bundle_with(config_for({"sleep", "1000"})), "--pid-file",
                                tmp_ + "/pid", "life"});
  ASSERT_EQ(created.status, 0) << created.err;
  auto st = state("life");
  EXPECT_EQ(st["status"], "created");
  EXPECT_EQ(st["id"], "life");
  EXPECT_EQ(st["ociVersion"].get<std::string>().substr(0, 2), "1.");
  const int pid = st["pid"];
  ASSERT_GT(pid, 0);
  const auto pid_file = run_process({"/bin/cat", tmp_ + "/pid"});
  EXPECT_EQ(pid_file.out, std::to_string(pid));

  ASSERT_EQ(runtime({"start", "life"}).status, 0);
  EXPECT_EQ(state("life")["status"], "running");
  const auto again = runtime({"start", "life"});
  EXPECT_NE(again.status, 0);
  EXPECT_NE(again.err.find("cannot start a container that is running"), std::string::npos) << again.err;
  const auto refused = runtime({"delete", "life"});
  EXPECT_NE(refused.status, 0);
  EXPECT_EQ(state("life")["status"], "running");

  ASSERT_EQ(runtime({"kill", "life", "KILL"}).status, 0);
  ASSERT_TRUE(wait_for_exit(pid, 10000));
  st = state("life");
  EXPECT_EQ(st["status"], "stopped");
  EXPECT_EQ(st["pid"], 0);
  EXPECT_NE(runtime({"kill", "life", "TERM"}).status, 0) << "kill of a stopped container must fail";
  ASSERT_EQ(runtime({"delete", "life"}).status, 0);
  EXPECT_NE(runtime({"state", "life"}).status, 0);
  EXPECT_FALSE(cgroup_exists_anywhere(cgroup_of("life")));
}

TEST_F(Lifecycle, NothingLeakedAfterKill9OfInit) {
  // The container reports through a FIFO bound into it once both children exist.
  const std::string fifo = tmp_ + "/ready";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  auto config = config_for({"sh", "-c", "sleep 1000 & sleep 1000 & echo ready > /ready; wait"});
  config["mounts"].push_back({{"destination", "/ready"}, {"type", "bind"}, {"source", fifo}, {"options", {"bind"}}});
  const pid_t pid = start_container("k9", config);
  ASSERT_GT(pid, 0);
  std::ifstream ready(fifo);  // blocks until the container opens it for writing
  std::string line;
  ASSERT_TRUE(std::getline(ready, line));
  EXPECT_EQ(line, "ready");
  const auto ps = runtime({"ps", "--format", "json", "k9"});
  const auto pids = nlohmann::json::parse(ps.out, nullptr, false);
  ASSERT_TRUE(pids.is_array()) << ps.out << ps.err;
  EXPECT_GE(pids.size(), 3u) << "init and two sleeps";

  ASSERT_EQ(kill(pid, SIGKILL), 0);  // the container's init, started by this test
  ASSERT_TRUE(wait_for_exit(pid, 10000));
  EXPECT_EQ(state("k9")["status"], "stopped");
  ASSERT_EQ(runtime({"delete", "k9"}).status, 0);

  for (const auto& p : pids) EXPECT_TRUE(wait_for_exit(p.get<pid_t>(), 5000)) << "process " << p << " survived";
  EXPECT_FALSE(cgroup_exists_anywhere(cgroup_of("k9")));
  EXPECT_NE(access((state_root_ + "/k9").c_str(), F_OK), 0) << "state directory left behind";
  const auto mounts = run_process({"/bin/cat", "/proc/self/mountinfo"});
  EXPECT_EQ(mounts.out.find(rootfs_), std::string::npos) << "a container mount leaked into the host";
}

TEST_F(Lifecycle, DeleteForceStopsARunningContainer) {
  const pid_t pid = start_container("forced", config_for({"sleep", "1000"}));
  ASSERT_GT(pid, 0);
  ASSERT_EQ(runtime({"delete", "--force", "forced"}).status, 0);
  EXPECT_TRUE(wait_for_exit(pid, 5000));
  EXPECT_FALSE(cgroup_exists_anywhere(cgroup_of("forced")));
  EXPECT_EQ(runtime({"delete", "--force", "forced"}).status, 0) << "force-deleting a missing container is not an error";
}

TEST_F(Lifecycle, DeletingACreatedContainerKillsItsInit) {
  ASSERT_EQ(runtime({"create", "--bundle", bundle_with(config_for({"true"})), "never"}).status, 0);
  const pid_t pid = state("never")["pid"];
  ASSERT_EQ(runtime({"delete", "never"}).status, 0);
  EXPECT_TRUE(wait_for_exit(pid, 5000));
  EXPECT_FALSE(cgroup_exists_anywhere(cgroup_of("never")));
}

TEST_F(Lifecycle, DeleteCleansUpAfterACreateThatWasKilledMidway) {
  // What a `create` killed right after making its cgroup leaves: a record with pid 0.
  StateStore store(state_root_);
  {
    ContainerLock lock = store.create("halfway");
    ContainerRecord r;
    r.id = "halfway";
    r.cgroup_path = cgroup_of("halfway");
    store.save(r);
    Cgroup(discover_cgroup_layout(), r.cgroup_path).create();
  }
  EXPECT_EQ(state("halfway")["status"], "stopped");
  EXPECT_NE(runtime({"kill", "halfway", "KILL"}).status, 0);
  ASSERT_EQ(runtime({"delete", "halfway"}).status, 0);
  EXPECT_FALSE(cgroup_exists_anywhere(cgroup_of("halfway")));
  EXPECT_NE(access((state_root_ + "/halfway").c_str(), F_OK), 0);
}

TEST_F(Lifecycle, ExitStatusPropagates) {
  EXPECT_EQ(run_container(config_for({"sh", "-c", "exit 42"})).status, 42);
  EXPECT_EQ(run_container(config_for({"true"})).status, 0);
}

TEST_F(Lifecycle, SignalsToTheRuntimeReachTheContainer) {
  const std::string bundle = bundle_with(config_for({"sh", "-c", "trap 'exit 9' TERM; echo ready; while true; do sleep 1; done"}));
  BackgroundProcess run(runtime_argv({"run", "--bundle", bundle, "sig"}));
  ASSERT_EQ(run.read_line(), "ready");
  ASSERT_EQ(kill(run.pid(), SIGTERM), 0);
  EXPECT_EQ(run.wait(), 9);
  EXPECT_NE(runtime({"state", "sig"}).status, 0) << "run deletes the container when it exits";
}

TEST_F(Lifecycle, ExecJoinsTheContainer) {
  ASSERT_GT(start_container("ex", config_for({"sleep", "1000"})), 0);
  const auto r = runtime({"exec", "ex", "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; hostname; exit 5"});
  EXPECT_EQ(r.status, 5) << r.err;
  EXPECT_EQ(r.out, "sleep 1000 vessel\n");
  const auto env = runtime({"exec", "--env", "EXTRA=1", "--cwd", "/tmp", "ex", "sh", "-c", "echo $EXTRA $(pwd)"});
  EXPECT_EQ(env.out, "1 /tmp\n") << env.err;
  const auto missing = runtime({"exec", "ex", "/no/such/program"});
  EXPECT_NE(missing.status, 0);
  EXPECT_NE(missing.err.find("No such file"), std::string::npos) << missing.err;
}

TEST_F(Lifecycle, TwentyRuntimeInvocationsAtOnce) {
  constexpr int kCount = 20;
  std::vector<std::unique_ptr<BackgroundProcess>> runs;
  for (int i = 0; i < kCount; ++i)
    runs.push_back(std::make_unique<BackgroundProcess>(
        runtime_argv({"run", "--rootfs", rootfs_, "--name", "par" + std::to_string(i), "--", "sh", "-c", "echo $$"})));
  for (auto& run : runs) {
    EXPECT_EQ(run->read_line(), "1");
    EXPECT_EQ(run->wait(), 0);
  }
  EXPECT_EQ(runtime({"list", "-q"}).out, "");
}

TEST_F(Lifecycle, TwentyContainersRunConcurrently) {
  constexpr int kCount = 20;
  for (int i = 0; i < kCount; ++i) ASSERT_GT(start_container("many" + std::to_string(i), config_for({"sleep", "1000"})), 0);
  const auto list = runtime({"list", "--format", "json"});
  const auto all = nlohmann::json::parse(list.out, nullptr, false);
  ASSERT_TRUE(all.is_array()) << list.out;
  int running = 0;
  std::set<int> pids;
  for (const auto& c : all) {
    running += c["status"] == "running";
    pids.insert(c["pid"].get<int>());
  }
  EXPECT_EQ(running, kCount);
  EXPECT_EQ(pids.size(), static_cast<size_t>(kCount));
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(runtime({"delete", "--force", "many" + std::to_string(i)}).status, 0);
  EXPECT_EQ(runtime({"list", "-q"}).out, "");
}

}  // namespace
}  // namespace vessel::container::testing
