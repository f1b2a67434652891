// Opening host files through descriptors handed over in advance. A jailed VMM gives up its
// uid and capabilities before it builds the machine; the files it may need with more rights
// than its uid has (writable disk images owned by root, a snapshot readable by root only, a
// TAP device that needs CAP_NET_ADMIN to attach) are opened by the sandbox first and
// registered here under their path. host_open() answers a registered path with a new
// descriptor of the same open file (dup, offset rewound), every other path with open(2).
// A reboot rebuilds the machine from the same registrations.
#pragma once
#include <sys/types.h>

#include <string>

namespace vessel {

// Registers `fd` (owned from now on) for `path`, opened read-write or read-only.
void register_preopened(const std::string& path, int fd, bool writable);
// A TAP descriptor already attached to interface `ifname` (TUNSETIFF done).
void register_preopened_tap(const std::string& ifname, int fd);

// open(2), unless `path` was registered and `flags` ask for no more than it allows (no
// O_CREAT/O_TRUNC). Sets errno like open(2) on failure.
int host_open(const std::string& path, int flags, mode_t mode = 0);
// A new descriptor of the TAP registered for `ifname`, or -1.
int preopened_tap(const std::string& ifname);

}  // namespace vessel
