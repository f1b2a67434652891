// Looking at a jailed VMM from the host: its pid under the keeper, its credentials and
// filters (/proc/PID/status), and every path its root holds (/proc/PID/root).
#pragma once
#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace vessel::test {

// The keeper's only child (the VMM, pid 1 of its namespace), or -1.
pid_t jailed_child(pid_t keeper);
// Fields of /proc/PID/status ("Uid" -> "300000 300000 300000 300000", ...).
std::map<std::string, std::string> proc_status(pid_t pid);
// Every path under /proc/PID/root except /proc, as seen inside (e.g. "/dev/null").
std::vector<std::string> jail_tree(pid_t pid);
// Paths under `dir` (recursively, on the host) owned by `uid`.
std::vector<std::string> owned_by(const std::string& dir, uid_t uid);

}  // namespace vessel::test
