// A complete config.json for the common case: what `spec` writes and what the one-line
// `run --rootfs DIR -- CMD...` starts from. New pid, mount, uts, ipc, network and cgroup
// namespaces; the standard /proc, /dev, /sys mounts; a small default capability set.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vessel::container {

nlohmann::json default_spec(const std::vector<std::string>& args, const std::string& rootfs = "rootfs");

}  // namespace vessel::container
