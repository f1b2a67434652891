// One container's cgroup, the same relative path in every hierarchy of the host's layout.
// Limits go to v1 controllers in legacy and hybrid mode and to the unified tree in v2 mode;
// the unified tree (when mounted) also tracks the processes in hybrid mode.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "container/cgroup_hierarchy.h"
#include "container/oci_spec.h"

namespace vessel::container {

struct CgroupStats {
  uint64_t memory_usage = 0, memory_max_usage = 0, memory_limit = 0, memory_failcnt = 0, oom_kills = 0;
  uint64_t cpu_usage_ns = 0;
  uint64_t pids_current = 0, pids_limit = 0;  // limit 0: unlimited
};

class Cgroup {
 public:
  Cgroup(CgroupLayout layout, std::string path);

  const std::string& path() const { return path_; }
  const CgroupLayout& layout() const { return layout_; }
  std::string dir_in(const CgroupHierarchy& h) const { return h.mount_point + path_; }

  void create();
  void apply(const ResourcesSpec& resources);
  void add_process(pid_t pid);
  std::vector<pid_t> processes() const;
  // Sends `signal` to every process, freezing first where possible so none forks away.
  void signal_all(int signal);
  // Waits until no process is left (up to `timeout_ms`); true when empty.
  bool wait_empty(int timeout_ms) const;
  // Kills what is left and removes the directories. Safe to call on a missing cgroup.
  void destroy();
  void set_frozen(bool frozen);
  CgroupStats stats() const;

 private:
  void apply_v1(const ResourcesSpec& r);
  void apply_v2(const ResourcesSpec& r);
  void write(const CgroupHierarchy* h, const char* file, const std::string& value) const;
  const CgroupHierarchy* tracking_hierarchy() const;
  void enable_v2_controller(const std::string& controller) const;

  CgroupLayout layout_;
  std::string path_;
};

constexpr const char* kDefaultStateRoot = "/run/vessel";

// The cgroup path for a container: linux.cgroupsPath (absolute, relative, or systemd's
// "slice:prefix:name" when --systemd-cgroup is given), else /vessel/<id> for the default state
// root and /vessel/<hash of the root>-<id> for others, so that the same id under two --root
// directories never shares a cgroup.
std::string cgroup_path_for(const std::string& cgroups_path, const std::string& id, bool systemd_style,
                            const std::string& state_root = kDefaultStateRoot);
// OCI cpu shares (2..262144) to cgroup v2 cpu.weight (1..10000).
uint64_t cpu_shares_to_weight(uint64_t shares);

}  // namespace vessel::container
