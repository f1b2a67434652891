// Which cgroup hierarchies the host has mounted: v1 (one hierarchy per controller group),
// v2 (one unified hierarchy) or hybrid (v1 controllers plus a controller-less v2 hierarchy,
// as on this project's CI machines). Discovered from /proc/self/mountinfo.
#pragma once
#include <string>
#include <vector>

namespace vessel::container {

enum class CgroupMode { Legacy, Hybrid, Unified };

struct CgroupHierarchy {
  std::string mount_point;
  std::vector<std::string> controllers;  // v1: from the mount options ("name=systemd" included)
  bool v2 = false;

  bool has(const std::string& controller) const;
};

struct CgroupLayout {
  CgroupMode mode = CgroupMode::Unified;
  std::vector<CgroupHierarchy> hierarchies;

  // The hierarchy that holds `controller` (v1 in legacy/hybrid, the unified one in v2).
  const CgroupHierarchy* find(const std::string& controller) const;
  const CgroupHierarchy* unified() const;
};

// Parses mountinfo text; `cgroup2_controllers` lists what the v2 root offers (cgroup.controllers).
CgroupLayout parse_cgroup_layout(const std::string& mountinfo, const std::string& cgroup2_controllers);
CgroupLayout discover_cgroup_layout();
const char* cgroup_mode_name(CgroupMode mode);

}  // namespace vessel::container
