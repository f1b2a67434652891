// What a jailed VMM needs from the host, as data: the paths bound into its root (each at
// the same absolute path, so configuration and socket paths need no translation), the
// files it opens before it gives up its rights, the TAP devices it attaches, and the
// identity and limits it runs under.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace vessel::sandbox {

struct Bind {
  std::string path;       // host path, also its path inside the jail
  bool writable = false;  // read-write bind (a directory the VMM creates sockets in)
  bool directory = false;
  // A directory shared with the guest (--share): its owner and mode stay the user's (it is
  // not handed to the jail's group like a socket directory); the jailed uid needs access.
  bool guest_share = false;
};

struct Preopen {
  std::string path;
  bool writable = false;
};

struct JailOptions {
  std::string mount_point = "/run/vessel/jail";  // empty host directory the jail's tmpfs is mounted on (in the VMM's namespace only)
  uid_t uid = 0;
  gid_t gid = 0;
  uint64_t max_open_files = 1024;
  uint64_t address_space_bytes = 0;  // RLIMIT_AS; 0 = not limited
  std::string cgroup;                // cgroup v2 directory for this VMM; empty = none
  uint64_t cgroup_memory_max = 0;    // memory.max of that cgroup; 0 = not set
};

struct JailPlan {
  std::vector<Bind> binds;
  std::vector<Preopen> files;
  std::vector<std::string> taps;  // attached before CAP_NET_ADMIN is dropped
  // VDE switches joined (one entry per NIC) while still root: a switch's sockets belong to
  // whoever runs it, and joining binds a socket in its directory, outside the jail.
  std::vector<std::string> vde_switches;
  JailOptions options;

  // Adds a bind once, in normal form (a writable request wins over a read-only one). Preopens
  // keep the path as given: the machine opens it by that name.
  void bind(const std::string& path, bool writable, bool directory);
  void bind_share(const std::string& path, bool writable);
  void preopen(const std::string& path, bool writable);
};

}  // namespace vessel::sandbox
