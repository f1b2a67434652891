#include "container/mount_options.h"

#include <sys/mount.h>

namespace vessel::container {

namespace {
struct FlagOption {
  const char* name;
  bool clear;  // "rw", "suid", ... remove a flag instead of adding it
  unsigned long flag;
};

constexpr FlagOption kFlags[] = {
    {"ro", false, MS_RDONLY},          {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},      {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},        {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},      {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},   {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},    {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},      {"nomand", true, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},    {"atime", true, MS_NOATIME},
    {"nodiratime", false, MS_NODIRATIME}, {"diratime", true, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},  {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME}, {"nostrictatime", true, MS_STRICTATIME},
    {"silent", false, MS_SILENT},      {"loud", true, MS_SILENT},
};

struct PropagationOption {
  const char* name;
  unsigned long flags;
};

constexpr PropagationOption kPropagation[] = {
    {"private", MS_PRIVATE},         {"rprivate", MS_PRIVATE | MS_REC}, {"shared", MS_SHARED},
    {"rshared", MS_SHARED | MS_REC}, {"slave", MS_SLAVE},               {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE},   {"runbindable", MS_UNBINDABLE | MS_REC},
};
}  // namespace

MountOptions parse_mount_options(const std::vector<std::string>& options) {
  MountOptions out;
  for (const auto& opt : options) {
    if (opt == "bind" || opt == "rbind") {
      out.bind = true;
      out.flags |= MS_BIND | (opt == "rbind" ? MS_REC : 0);
      continue;
    }
    if (opt == "tmpcopyup" || opt == "defaults" || opt.empty()) continue;  // nothing to do here
    bool matched = false;
    for (const auto& f : kFlags) {
      if (opt != f.name) continue;
      if (f.clear) out.flags &= ~f.flag;
      else out.flags |= f.flag;
      matched = true;
      break;
    }
    for (const auto& p : kPropagation) {
      if (matched || opt != p.name) continue;
      out.propagation.push_back(p.flags);
      matched = true;
    }
    if (!matched) out.data += (out.data.empty() ? "" : ",") + opt;
  }
  return out;
}

}  // namespace vessel::container
