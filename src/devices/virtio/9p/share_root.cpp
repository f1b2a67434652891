#include "devices/virtio/9p/share_root.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vessel::devices::virtio::p9 {

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    fd_ = o.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) close(fd_);
}

int openat2_beneath(int dirfd, const char* path, int flags, unsigned mode) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags) | O_CLOEXEC | O_NOFOLLOW;
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    const long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    if (fd >= 0) return static_cast<int>(fd);
    if (errno != EAGAIN && errno != EINTR) return -errno;  // EAGAIN: a rename raced the lookup
  }
}

Result<ShareRoot> ShareRoot::open(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error{"cannot open shared directory " + dir + ": " + strerror(errno)};
  Fd root(fd);
  struct stat st {};
  if (fstat(fd, &st) != 0) return Error{"cannot stat shared directory " + dir + ": " + strerror(errno)};
  // Fail now, not at the guest's first walk, on a kernel without openat2 (Linux < 5.6).
  const int probe = openat2_beneath(fd, ".", O_PATH, 0);
  if (probe < 0) return Error{"shared directory " + dir + ": openat2 is not available: " + strerror(-probe)};
  close(probe);
  return ShareRoot(std::move(root), st.st_dev);
}

int ShareRoot::open_beneath(const std::string& rel, int flags, unsigned mode) const {
  return openat2_beneath(root_.get(), rel.empty() ? "." : rel.c_str(), flags, mode);
}

int ShareRoot::open_parent(const std::string& rel, std::string& name) const {
  if (rel.empty()) {
    name.assign(1, '.');  // not operator=: GCC 12 warns wrongly (-Wrestrict) there
    return openat2_beneath(root_.get(), ".", O_PATH | O_DIRECTORY, 0);
  }
  const size_t slash = rel.rfind('/');
  const size_t start = slash == std::string::npos ? 0 : slash + 1;
  name.assign(rel, start, std::string::npos);
  return open_beneath(parent_path(rel), O_PATH | O_DIRECTORY);
}

bool valid_name(std::string_view name) {
  return !name.empty() && name.size() <= 255 && name != "." && name != ".." &&
         name.find('/') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

std::string join_path(const std::string& dir, const std::string& name) {
  std::string out = dir;  // appends, not operator+: GCC 12 warns wrongly (-Wrestrict) on the latter
  if (!out.empty()) out.push_back('/');
  out.append(name);
  return out;
}

std::string parent_path(const std::string& rel) {
  const size_t slash = rel.rfind('/');
  return std::string(rel, 0, slash == std::string::npos ? 0 : slash);
}

}  // namespace vessel::devices::virtio::p9
