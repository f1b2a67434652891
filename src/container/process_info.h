// Facts about host processes from /proc, used to tell a live container from a stopped one.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>

namespace vessel::container {

// Start time (clock ticks since boot) of `pid`, or 0 if it does not exist or is a zombie.
uint64_t process_start_time(pid_t pid);
// Current time as RFC 3339 with nanoseconds, UTC.
std::string rfc3339_now();

}  // namespace vessel::container
