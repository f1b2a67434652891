// What the manager does for jailed VMMs (vessel-vmm --sandbox, src/sandbox): picks each one a
// uid of its own from the daemon's range, reads a seccomp kill from the VMM's log, moves a
// snapshot the jailed VMM wrote into its own directory to where the client asked for it,
// and relays a live migration stream between a jailed source and its destination's socket
// (neither sees the other's directory).
#pragma once
#include <sys/types.h>

#include <atomic>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"

namespace vessel::manager {

struct SandboxSettings {
  bool enabled = true;  // vesseld --no-sandbox turns it off for every VM
  uid_t uid_first = 300000, uid_last = 309999;  // vesseld --sandbox-uids FIRST-LAST
  std::string jail_root = "/run/vessel/jail";
  std::string cgroup_parent;  // vesseld --sandbox-cgroup-parent: each VMM in PARENT/NAME; empty = none
};

// Parses FIRST-LAST (vesseld --sandbox-uids) into its bounds; false on bad input.
bool parse_uid_range(const std::string& text, uid_t& first, uid_t& last);

// The lowest uid of the range that no running VMM holds and no account uses.
std::optional<uid_t> pick_jail_uid(const SandboxSettings& s, const std::set<uid_t>& in_use);

// vessel-vmm arguments that jail VM `name` under `uid` (its gid is the same number).
std::vector<std::string> jail_args(const SandboxSettings& s, uid_t uid, const std::string& name);

// "seccomp openat" when the VMM's log ends with the sandbox's report of a refused call.
std::optional<std::string> seccomp_exit_from_log(const std::string& log_tail);

// The pid of the jailed VMM under its keeper (the keeper's only child), or `keeper` itself.
pid_t jailed_vmm_pid(pid_t keeper);

// Moves `from` (written by the jailed VMM) to `to`, owned by root; copies across filesystems.
Result<bool> move_snapshot(const std::string& from, const std::string& to);

// A Unix socket at `listen_path` (group `gid` may connect) whose one connection is relayed
// to the Unix socket `target_path`, until either side closes.
class MigrationRelay {
 public:
  static Result<std::unique_ptr<MigrationRelay>> start(const std::string& listen_path, gid_t gid,
                                                       const std::string& target_path);
  ~MigrationRelay();
  MigrationRelay(const MigrationRelay&) = delete;
  MigrationRelay& operator=(const MigrationRelay&) = delete;

 private:
  MigrationRelay() = default;
  void run();
  std::string listen_path_, target_path_;
  int listener_ = -1, stop_fd_ = -1;
  std::thread thread_;
};

}  // namespace vessel::manager
