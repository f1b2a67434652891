// Pid files written by daemons we start (vde_switch -d -p FILE, slirpvde -d -p FILE): the
// starting process exits before its daemon child writes the file, so the reader waits for it.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>

namespace vessel {

// The pid in `path` once it has been written and closed (inotify on its directory), or
// nullopt after `timeout`.
std::optional<pid_t> wait_for_pid_file(const std::string& path, std::chrono::milliseconds timeout);

}  // namespace vessel
