// Host processes as the manager sees them. A pid alone is not an identity (pids are reused),
// so a VMM is known by its pid and its start time (from /proc/PID/stat, in clock ticks).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace vessel::manager {

struct ProcessId {
  pid_t pid = 0;
  uint64_t start_time = 0;
};

// nullopt when the process does not exist or is a zombie.
std::optional<uint64_t> process_start_time(pid_t pid);
bool process_alive(const ProcessId& id);
uint64_t process_rss_bytes(pid_t pid);
// Bytes of the process's memory that KSM merged with identical pages (/proc/PID/ksm_merging_pages,
// Linux 6.1); nullopt where the kernel does not report it.
std::optional<uint64_t> process_ksm_merging_bytes(pid_t pid);
double process_cpu_seconds(pid_t pid);  // user + system time of every thread
// Seconds the process has been running (from its start time and the system's boot time).
double process_uptime_seconds(const ProcessId& id);

// Starts `binary args...` detached: its own session and process group, stdin /dev/null,
// stdout and stderr appended to `log_path`, no inherited descriptors. Returns once exec
// succeeded (or with exec's error).
Result<ProcessId> spawn_detached(const std::string& binary, const std::vector<std::string>& args,
                                 const std::string& log_path);

}  // namespace vessel::manager
