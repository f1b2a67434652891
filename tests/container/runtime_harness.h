// Shared fixture of the container integration tests: runs the real vessel-runc binary with a
// private --root, on bundles whose root filesystem is the Debian busybox-static binary.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace vessel::container::testing {

struct CommandResult {
  int status = -1;  // exit status, 128 + signal when killed
  std::string out, err;
};

// Runs argv to completion, capturing stdout and stderr.
CommandResult run_process(const std::vector<std::string>& argv);

// A process started in the background with stdout readable line by line.
class BackgroundProcess {
 public:
  explicit BackgroundProcess(const std::vector<std::string>& argv);
  ~BackgroundProcess();
  std::string read_line();  // blocks; "" on EOF
  int wait();               // exit status
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_;
  bool waited_ = false;
};

// Blocks until `pid` (any process) exits, up to timeout_ms; true if it did.
bool wait_for_exit(pid_t pid, int timeout_ms);

class ContainerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // vessel-runc --root <state root> args...
  CommandResult runtime(const std::vector<std::string>& args) const;
  std::vector<std::string> runtime_argv(const std::vector<std::string>& args) const;
  // The default spec running `args`, on the shared busybox root, with a tmpfs on /tmp.
  nlohmann::json config_for(const std::vector<std::string>& args) const;
  // Writes a bundle directory holding `config` and returns its path.
  std::string bundle_with(const nlohmann::json& config);
  // run --bundle ... in the foreground, returns the result.
  CommandResult run_container(const nlohmann::json& config, const std::string& id = "");
  // create + start a long-running container; returns its host pid.
  pid_t start_container(const std::string& id, const nlohmann::json& config);
  nlohmann::json state(const std::string& id) const;
  // The cgroup path (inside each hierarchy) the runtime gives container `id` by default.
  std::string cgroup_of(const std::string& id) const;

  std::string tmp_;         // per-test scratch directory
  std::string rootfs_;      // busybox root filesystem
  std::string state_root_;  // --root
  int bundles_ = 0;
};

}  // namespace vessel::container::testing
