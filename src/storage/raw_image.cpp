#include "storage/raw_image.h"

#include <algorithm>
#include <vector>

namespace vessel::storage {

Result<std::unique_ptr<RawImage>> RawImage::open(const std::string& path, bool read_only) {
  auto file = HostFile::open(path, !read_only);
  if (!file) return Error{file.error()};
  auto size = file->size();
  if (!size) return Error{size.error()};
  return std::unique_ptr<RawImage>(new RawImage(std::move(file.value()), size.value(), read_only));
}

Result<bool> RawImage::create(const std::string& path, uint64_t size) {
  auto file = HostFile::create(path);
  if (!file) return Error{file.error()};
  if (!file->truncate(size).ok()) return Error{"cannot set the size of '" + path + "'"};
  return true;
}

IoStatus RawImage::read(uint64_t offset, void* buffer, size_t len) {
  if (!in_range(offset, len)) return IoStatus::error(IoCode::OutOfRange);
  return file_.read_zero_fill(offset, buffer, len);
}

IoStatus RawImage::write(uint64_t offset, const void* data, size_t len) {
  if (read_only_) return IoStatus::error(IoCode::ReadOnly);
  if (!in_range(offset, len)) return IoStatus::error(IoCode::OutOfRange);
  return file_.write_all(offset, data, len);
}

IoStatus RawImage::flush() {
  if (read_only_) return IoStatus::success();
  return file_.sync();
}

IoStatus RawImage::discard(uint64_t offset, uint64_t len) {
  if (read_only_) return IoStatus::error(IoCode::ReadOnly);
  if (!in_range(offset, len)) return IoStatus::error(IoCode::OutOfRange);
  if (len == 0) return IoStatus::success();
  const IoStatus s = file_.punch_hole(offset, len);
  // Discard is advisory: a file system without hole punching just keeps the data.
  return s.code == IoCode::Unsupported ? IoStatus::success() : s;
}

IoStatus RawImage::write_zeroes(uint64_t offset, uint64_t len, bool may_unmap) {
  if (read_only_) return IoStatus::error(IoCode::ReadOnly);
  if (!in_range(offset, len)) return IoStatus::error(IoCode::OutOfRange);
  if (len == 0) return IoStatus::success();
  const IoStatus s = may_unmap ? file_.punch_hole(offset, len) : file_.zero_range(offset, len);
  if (s.code != IoCode::Unsupported) return s;
  // Fallback for file systems (or block devices) without fallocate modes.
  std::vector<uint8_t> zeros(static_cast<size_t>(std::min<uint64_t>(len, 1 << 20)), 0);
  while (len > 0) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(len, zeros.size()));
    VESSEL_TRY_IO(file_.write_all(offset, zeros.data(), n));
    offset += n;
    len -= n;
  }
  return IoStatus::success();
}

ImageInfo RawImage::info() const {
  ImageInfo i;
  i.format = DiskFormat::Raw;
  i.path = file_.path();
  i.virtual_size = size_;
  return i;
}

}  // namespace vessel::storage
