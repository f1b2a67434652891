// HostFile: an owned file descriptor with whole-buffer positional I/O. Short reads at the end of
// the file are zero-filled where callers ask for it (qcow2 clusters may end past EOF).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/result.h"
#include "storage/status.h"

namespace vessel::storage {

class HostFile {
 public:
  HostFile() = default;
  ~HostFile();
  HostFile(HostFile&& o) noexcept;
  HostFile& operator=(HostFile&& o) noexcept;
  HostFile(const HostFile&) = delete;
  HostFile& operator=(const HostFile&) = delete;

  // Opens an existing file; error message names the path and errno text.
  static Result<HostFile> open(const std::string& path, bool writable);
  // Creates (or truncates) a file for a new image.
  static Result<HostFile> create(const std::string& path);

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  bool valid() const { return fd_ >= 0; }

  IoStatus read_exact(uint64_t offset, void* buf, size_t len) const;        // EOF is an error
  IoStatus read_zero_fill(uint64_t offset, void* buf, size_t len) const;    // EOF reads as zeros
  IoStatus write_all(uint64_t offset, const void* buf, size_t len) const;
  IoStatus sync() const;                                                    // fdatasync
  IoStatus truncate(uint64_t size) const;
  // fallocate helpers; return Unsupported when the file system can't do it.
  IoStatus punch_hole(uint64_t offset, uint64_t len) const;
  IoStatus zero_range(uint64_t offset, uint64_t len) const;
  Result<uint64_t> size() const;
  uint64_t allocated_bytes() const;  // st_blocks * 512

 private:
  int fd_ = -1;
  std::string path_;
};

}  // namespace vessel::storage
