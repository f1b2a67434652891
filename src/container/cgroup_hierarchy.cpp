#include "container/cgroup_hierarchy.h"

#include <algorithm>
#include <sstream>

#include "container/state_store.h"

namespace vessel::container {

namespace {
std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, sep))
    if (!part.empty()) out.push_back(part);
  return out;
}

// Mount options that are not controller names.
bool is_generic_option(const std::string& opt) {
  static const char* kGeneric[] = {"rw", "ro", "nosuid", "nodev", "noexec", "relatime", "noatime", "clone_children",
                                   "xattr", "nsdelegate", "memory_recursiveprot", "favordynmods", "noprefix"};
  for (const char* g : kGeneric)
    if (opt == g) return true;
  return opt.rfind("release_agent=", 0) == 0;
}
}  // namespace

bool CgroupHierarchy::has(const std::string& controller) const {
  return std::find(controllers.begin(), controllers.end(), controller) != controllers.end();
}

const CgroupHierarchy* CgroupLayout::find(const std::string& controller) const {
  for (const auto& h : hierarchies)
    if (h.has(controller) && (mode == CgroupMode::Unified || !h.v2)) return &h;
  return nullptr;
}

const CgroupHierarchy* CgroupLayout::unified() const {
  for (const auto& h : hierarchies)
    if (h.v2) return &h;
  return nullptr;
}

CgroupLayout parse_cgroup_layout(const std::string& mountinfo, const std::string& cgroup2_controllers) {
  CgroupLayout layout;
  bool any_v1 = false;
  std::stringstream lines(mountinfo);
  std::string line;
  while (std::getline(lines, line)) {
    // "<id> <parent> <maj:min> <root> <mount point> <opts> [optional...] - <fstype> <source> <super opts>"
    const auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    const auto before = split(line.substr(0, dash), ' ');
    const auto after = split(line.substr(dash + 3), ' ');
    if (before.size() < 5 || after.size() < 3) continue;
    const std::string& fstype = after[0];
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    const std::string& mount_point = before[4];
    bool duplicate = false;
    CgroupHierarchy h;
    h.mount_point = mount_point;
    h.v2 = fstype == "cgroup2";
    if (h.v2) {
      h.controllers = split(cgroup2_controllers, ' ');
      for (auto& c : h.controllers)
        if (!c.empty() && c.back() == '\n') c.pop_back();
    } else {
      any_v1 = true;
      for (const auto& opt : split(after[2], ','))
        if (!is_generic_option(opt)) h.controllers.push_back(opt);
    }
    for (const auto& existing : layout.hierarchies)
      duplicate |= existing.v2 == h.v2 && existing.controllers == h.controllers;
    if (!duplicate) layout.hierarchies.push_back(std::move(h));
  }
  const bool any_v2 = layout.unified() != nullptr;
  layout.mode = any_v1 ? (any_v2 ? CgroupMode::Hybrid : CgroupMode::Legacy) : CgroupMode::Unified;
  return layout;
}

CgroupLayout discover_cgroup_layout() {
  const std::string mountinfo = read_whole_file("/proc/self/mountinfo").value_or("");
  std::string controllers;
  // The v2 root's controller list; found after parsing because the mount point varies.
  CgroupLayout probe = parse_cgroup_layout(mountinfo, "");
  if (const CgroupHierarchy* u = probe.unified())
    controllers = read_whole_file(u->mount_point + "/cgroup.controllers").value_or("");
  return parse_cgroup_layout(mountinfo, controllers);
}

const char* cgroup_mode_name(CgroupMode mode) {
  switch (mode) {
    case CgroupMode::Legacy: return "v1";
    case CgroupMode::Hybrid: return "hybrid";
    case CgroupMode::Unified: return "v2";
  }
  return "?";
}

}  // namespace vessel::container
