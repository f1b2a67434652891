// Typed status of a disk operation (ARCHITECTURE.md example 9): no exceptions on the I/O path.
// The virtio-blk device maps these codes onto VIRTIO_BLK_S_IOERR / _UNSUPP.
#pragma once
#include <cstdint>

namespace vessel::storage {

enum class IoCode : uint8_t {
  Ok = 0,
  OutOfRange,   // the request reaches past the end of the virtual disk
  ReadOnly,     // a write to an image opened read-only
  HostError,    // the host file system failed (sys_errno says why)
  Corrupt,      // image metadata is inconsistent; the request was not performed
  NoSpace,      // the image cannot grow (refcount limits, file size limits, ENOSPC)
  Unsupported,  // a feature of this image that Vessel cannot write (e.g. internal snapshots)
};

struct [[nodiscard]] IoStatus {
  IoCode code = IoCode::Ok;
  int sys_errno = 0;

  bool ok() const { return code == IoCode::Ok; }
  static IoStatus success() { return {}; }
  static IoStatus error(IoCode c, int err = 0) { return {c, err}; }
};

inline const char* to_string(IoCode c) {
  switch (c) {
    case IoCode::Ok: return "ok";
    case IoCode::OutOfRange: return "request past the end of the disk";
    case IoCode::ReadOnly: return "image is read-only";
    case IoCode::HostError: return "host I/O error";
    case IoCode::Corrupt: return "image metadata is corrupt";
    case IoCode::NoSpace: return "no space left for the image";
    case IoCode::Unsupported: return "operation not supported by this image";
  }
  return "unknown";
}

// Propagates a failed status to the caller: `VESSEL_TRY_IO(expr);`
#define VESSEL_TRY_IO(expr)                                \
  do {                                                     \
    ::vessel::storage::IoStatus vessel_try_io_s_ = (expr); \
    if (!vessel_try_io_s_.ok()) return vessel_try_io_s_;   \
  } while (0)

}  // namespace vessel::storage
