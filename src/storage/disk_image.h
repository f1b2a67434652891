// DiskImage: the tiny interface between block devices and disk formats (ARCHITECTURE.md
// example 8). Offsets and lengths are in bytes; any alignment is accepted.
//
// Thread safety: every method may be called concurrently from several threads. RawImage relies
// on pread/pwrite; Qcow2Image serializes requests on one mutex per image (metadata and the L2
// cache are shared state).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "storage/status.h"

namespace vessel::storage {

enum class DiskFormat : uint8_t { Raw, Qcow2 };

const char* to_string(DiskFormat f);

// What `vessel img info` shows; not needed for I/O.
struct ImageInfo {
  DiskFormat format = DiskFormat::Raw;
  std::string path;
  uint64_t virtual_size = 0;
  uint32_t cluster_size = 0;      // 0 for raw
  uint32_t qcow2_version = 0;     // 2 or 3, 0 for raw
  uint32_t refcount_bits = 0;
  bool dirty = false;             // qcow2 v3 dirty bit (lazy refcounts)
  bool corrupt = false;           // qcow2 v3 corrupt bit
  bool lazy_refcounts = false;
  uint32_t snapshots = 0;
  std::string backing_file;       // as written in the image
  std::string backing_path;       // resolved against the image's directory
  std::string backing_format;     // from the header extension; empty when probed
};

class DiskImage {
 public:
  virtual ~DiskImage() = default;

  virtual uint64_t size() const = 0;
  virtual bool read_only() const = 0;
  virtual DiskFormat format() const = 0;

  // Reads [offset, offset+len); OutOfRange if any byte is past size().
  virtual IoStatus read(uint64_t offset, void* buffer, size_t len) = 0;
  virtual IoStatus write(uint64_t offset, const void* data, size_t len) = 0;
  // Returns once everything written before it is durable and the image is consistent on disk.
  virtual IoStatus flush() = 0;
  // Advisory: the range's content becomes unspecified (Vessel reads it back as zeros or as the
  // backing file's data, never as stale data of another range). May do nothing.
  virtual IoStatus discard(uint64_t offset, uint64_t len) = 0;
  // The range reads back as zeros. may_unmap allows releasing the space.
  virtual IoStatus write_zeroes(uint64_t offset, uint64_t len, bool may_unmap) = 0;

  // Whether any byte of the range is defined by this image itself rather than by a hole or the
  // backing chain (a disk copy sends only those). May answer true for more than is needed.
  virtual IoStatus allocated(uint64_t offset, uint64_t len, bool* out) {
    (void)offset;
    (void)len;
    *out = true;
    return IoStatus::success();
  }

  // The next image of a backing chain, or nullptr.
  virtual DiskImage* backing() { return nullptr; }
  virtual ImageInfo info() const = 0;
};

}  // namespace vessel::storage
