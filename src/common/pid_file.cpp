#include "common/pid_file.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <fstream>

namespace vessel {
namespace {

std::optional<pid_t> read_pid(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  std::string rest;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  return static_cast<pid_t>(pid);
}

}  // namespace

std::optional<pid_t> wait_for_pid_file(const std::string& path, std::chrono::milliseconds timeout) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0) return read_pid(path);
  // Watch first, then look: a file written in between still wakes the poll below.
  inotify_add_watch(fd, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::optional<pid_t> pid = read_pid(path);
  while (!pid) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char events[4096];
    while (read(fd, events, sizeof events) > 0) {
    }
    pid = read_pid(path);
  }
  close(fd);
  return pid;
}

}  // namespace vessel
