// process.terminal: a pseudo-terminal created inside the container, whose master side is
// handed to the caller through --console-socket (SCM_RIGHTS), as OCI runtimes do.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace vessel::container {

// A listening AF_UNIX socket at `path` (for a runtime that relays the terminal itself).
int listen_console_socket(const std::string& path);
// Connects to the AF_UNIX socket at `path`; must run before pivot_root.
int connect_console_socket(const std::string& path);
// Opens a pty from the container's /dev/ptmx, sends the master over `socket_fd`, makes the
// slave the controlling terminal and stdio, and (when `bind_console`) mounts it on /dev/console.
void setup_console(int socket_fd, bool bind_console, std::optional<std::pair<uint32_t, uint32_t>> size);
// Sends `fd` over the connected unix socket `socket_fd` with `name` as payload.
void send_fd(int socket_fd, int fd, const std::string& name);
// One SCM_RIGHTS message carrying `fd` and the bytes of `payload` (`what` names it in errors).
void send_with_fd(int socket_fd, int fd, const std::string& payload, const std::string& what);
// Receives one fd sent by send_fd (-1 on failure).
int receive_fd(int socket_fd);

}  // namespace vessel::container
