// Translates an OCI mount's option strings into mount(2) flags, propagation and fs data.
#pragma once
#include <string>
#include <vector>

namespace vessel::container {

struct MountOptions {
  unsigned long flags = 0;              // MS_RDONLY, MS_NOSUID, ... (MS_BIND/MS_REC for binds)
  std::vector<unsigned long> propagation;  // MS_PRIVATE, MS_SLAVE|MS_REC, ... applied afterwards
  std::string data;                     // filesystem-specific options, comma separated
  bool bind = false;
};

MountOptions parse_mount_options(const std::vector<std::string>& options);

}  // namespace vessel::container
