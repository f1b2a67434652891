// Unix stream sockets shared by the VMM's servers (control, console), the manager's HTTP
// server and its clients.
#pragma once
#include <sys/un.h>

#include <string>

#include "common/result.h"

namespace vessel {

// Fills `addr` for `path`; false when the path does not fit in sun_path.
[[nodiscard]] bool unix_address(const std::string& path, sockaddr_un& addr);
// Replaces a stale socket file at `path` and listens there (close-on-exec descriptor).
Result<int> listen_unix(const std::string& path, int backlog);
// Waits for a client: its descriptor (close-on-exec), or -1 once `stop_fd` is readable.
int accept_or_stop(int listen_fd, int stop_fd);

}  // namespace vessel
