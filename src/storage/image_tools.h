// Whole-image operations behind `vessel img`: creating raw or qcow2 images (with a backing
// file) and copying one image's content into another.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/result.h"
#include "storage/disk_image.h"

namespace vessel::storage {

struct CreateRequest {
  std::string path;
  DiskFormat format = DiskFormat::Qcow2;
  std::optional<uint64_t> size;           // required unless there is a backing file
  std::string backing_file;               // qcow2 only; relative to the new image's directory
  std::optional<DiskFormat> backing_format;  // probed from the backing file when absent
  uint32_t cluster_size = 65536;
  uint32_t qcow2_version = 3;
  uint32_t refcount_bits = 16;
};

// Creates the image; returns its virtual size. Sizes are rounded up to 512 bytes.
Result<uint64_t> create_disk(const CreateRequest& request);

// Resolves a backing file name the way qcow2 does: relative to the image's directory.
std::string resolve_backing_path(const std::string& image_path, const std::string& backing_file);

// Copies src into dst (same virtual size or larger), skipping all-zero blocks of `block` bytes
// so that dst stays sparse (dst must read as zeros where nothing is written). `progress` is
// called with bytes done and total.
Result<bool> copy_disk(DiskImage& src, DiskImage& dst, uint64_t block,
                       const std::function<void(uint64_t, uint64_t)>& progress);

}  // namespace vessel::storage
