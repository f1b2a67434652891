#include "common/host_open.h"

#include <fcntl.h>
#include <unistd.h>

#include <map>
#include <mutex>

namespace vessel {
namespace {

struct Registered {
  int fd = -1;
  bool writable = false;
};

// Process-wide on purpose: filled once by the sandbox before the machine exists, read by the
// storage, machine and net layers (see the header).
struct Table {
  std::mutex mutex;
  std::map<std::string, Registered> files, taps;
};

Table& table() {
  static Table t;
  return t;
}

int duplicate(int fd) { return fcntl(fd, F_DUPFD_CLOEXEC, 0); }

}  // namespace

void register_preopened(const std::string& path, int fd, bool writable) {
  std::lock_guard lock(table().mutex);
  auto& slot = table().files[path];
  if (slot.fd >= 0) close(slot.fd);
  slot = Registered{fd, writable};
}

void register_preopened_tap(const std::string& ifname, int fd) {
  std::lock_guard lock(table().mutex);
  auto& slot = table().taps[ifname];
  if (slot.fd >= 0) close(slot.fd);
  slot = Registered{fd, true};
}

int host_open(const std::string& path, int flags, mode_t mode) {
  const bool wants_write = (flags & O_ACCMODE) != O_RDONLY;
  if (!(flags & (O_CREAT | O_TRUNC))) {
    std::lock_guard lock(table().mutex);
    auto it = table().files.find(path);
    if (it != table().files.end() && (it->second.writable || !wants_write)) {
      const int fd = duplicate(it->second.fd);
      // A dup shares the file offset: rewind it for readers that use read(2).
      if (fd >= 0) (void)lseek(fd, 0, SEEK_SET);
      return fd;
    }
  }
  return ::open(path.c_str(), flags, mode);
}

int preopened_tap(const std::string& ifname) {
  std::lock_guard lock(table().mutex);
  auto it = table().taps.find(ifname);
  return it == table().taps.end() ? -1 : duplicate(it->second.fd);
}

}  // namespace vessel
