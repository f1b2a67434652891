#include "storage/host_file.h"
#include "common/host_open.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace vessel::storage {

HostFile::~HostFile() {
  if (fd_ >= 0) ::close(fd_);
}

HostFile::HostFile(HostFile&& o) noexcept : fd_(std::exchange(o.fd_, -1)), path_(std::move(o.path_)) {}

HostFile& HostFile::operator=(HostFile&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    path_ = std::move(o.path_);
  }
  return *this;
}

Result<HostFile> HostFile::open(const std::string& path, bool writable) {
  const int fd = host_open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return Error{"cannot open '" + path + "': " + strerror(errno)};
  struct stat st {};
  if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Error{"cannot open '" + path + "': is a directory"};
  }
  HostFile f;
  f.fd_ = fd;
  f.path_ = path;
  return f;
}

Result<HostFile> HostFile::create(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error{"cannot create '" + path + "': " + strerror(errno)};
  HostFile f;
  f.fd_ = fd;
  f.path_ = path;
  return f;
}

IoStatus HostFile::read_exact(uint64_t offset, void* buf, size_t len) const {
  auto* p = static_cast<uint8_t*>(buf);
  while (len > 0) {
    const ssize_t n = ::pread(fd_, p, len, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoStatus::error(IoCode::HostError, errno);
    }
    if (n == 0) return IoStatus::error(IoCode::Corrupt);  // metadata past the end of the file
    p += n;
    len -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return IoStatus::success();
}

IoStatus HostFile::read_zero_fill(uint64_t offset, void* buf, size_t len) const {
  auto* p = static_cast<uint8_t*>(buf);
  while (len > 0) {
    const ssize_t n = ::pread(fd_, p, len, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoStatus::error(IoCode::HostError, errno);
    }
    if (n == 0) {
      memset(p, 0, len);
      break;
    }
    p += n;
    len -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return IoStatus::success();
}

IoStatus HostFile::write_all(uint64_t offset, const void* buf, size_t len) const {
  const auto* p = static_cast<const uint8_t*>(buf);
  while (len > 0) {
    const ssize_t n = ::pwrite(fd_, p, len, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoStatus::error(errno == ENOSPC || errno == EFBIG ? IoCode::NoSpace : IoCode::HostError, errno);
    }
    p += n;
    len -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return IoStatus::success();
}

IoStatus HostFile::sync() const {
  if (::fdatasync(fd_) != 0) return IoStatus::error(IoCode::HostError, errno);
  return IoStatus::success();
}

IoStatus HostFile::truncate(uint64_t size) const {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0)
    return IoStatus::error(errno == EFBIG || errno == ENOSPC ? IoCode::NoSpace : IoCode::HostError, errno);
  return IoStatus::success();
}

IoStatus HostFile::punch_hole(uint64_t offset, uint64_t len) const {
  if (::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                  static_cast<off_t>(len)) != 0)
    return IoStatus::error(errno == EOPNOTSUPP || errno == ENOSYS ? IoCode::Unsupported : IoCode::HostError, errno);
  return IoStatus::success();
}

IoStatus HostFile::zero_range(uint64_t offset, uint64_t len) const {
  if (::fallocate(fd_, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                  static_cast<off_t>(len)) != 0)
    return IoStatus::error(errno == EOPNOTSUPP || errno == ENOSYS ? IoCode::Unsupported : IoCode::HostError, errno);
  return IoStatus::success();
}

Result<uint64_t> HostFile::size() const {
  struct stat st {};
  if (fstat(fd_, &st) != 0) return Error{"cannot stat '" + path_ + "': " + strerror(errno)};
  if (S_ISBLK(st.st_mode)) {
    const off_t end = lseek(fd_, 0, SEEK_END);
    if (end < 0) return Error{"cannot size '" + path_ + "': " + strerror(errno)};
    return static_cast<uint64_t>(end);
  }
  return static_cast<uint64_t>(st.st_size);
}

uint64_t HostFile::allocated_bytes() const {
  struct stat st {};
  if (fstat(fd_, &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_blocks) * 512;
}

}  // namespace vessel::storage
