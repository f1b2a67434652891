#include "storage/image_tools.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "storage/open_disk.h"
#include "storage/qcow2_create.h"
#include "storage/raw_image.h"

namespace vessel::storage {
namespace {

bool all_zero(const uint8_t* p, size_t n) {
  // Compare word-wise; blocks are multiples of 512 bytes except possibly the last.
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    if (w) return false;
  }
  for (; i < n; ++i)
    if (p[i]) return false;
  return true;
}

}  // namespace

std::string resolve_backing_path(const std::string& image_path, const std::string& backing_file) {
  if (backing_file.empty() || backing_file[0] == '/') return backing_file;
  const auto slash = image_path.rfind('/');
  if (slash == std::string::npos) return backing_file;
  return image_path.substr(0, slash + 1) + backing_file;
}

Result<uint64_t> create_disk(const CreateRequest& r) {
  uint64_t size = 0;
  std::optional<DiskFormat> backing_format = r.backing_format;
  if (!r.backing_file.empty()) {
    if (r.format != DiskFormat::Qcow2) return Error{"raw images cannot have a backing file"};
    const std::string resolved = resolve_backing_path(r.path, r.backing_file);
    auto backing = open_disk(resolved, backing_format, true);
    if (!backing) return Error{"cannot open backing file: " + backing.error()};
    size = backing.value()->size();
    backing_format = backing.value()->format();
  }
  if (r.size) size = *r.size;
  else if (r.backing_file.empty()) return Error{"image size is required (no backing file)"};
  if (size > (UINT64_MAX - 511)) return Error{"image size is too large"};
  size = (size + 511) & ~511ull;

  if (r.format == DiskFormat::Raw) {
    auto ok = RawImage::create(r.path, size);
    if (!ok) return Error{ok.error()};
    return size;
  }
  qcow2::CreateOptions o;
  o.size = size;
  o.cluster_size = r.cluster_size;
  o.version = r.qcow2_version;
  o.refcount_bits = r.refcount_bits;
  o.backing_file = r.backing_file;
  if (backing_format) o.backing_format = to_string(*backing_format);
  auto ok = qcow2::create_image(r.path, o);
  if (!ok) return Error{ok.error()};
  return size;
}

Result<bool> copy_disk(DiskImage& src, DiskImage& dst, uint64_t block,
                       const std::function<void(uint64_t, uint64_t)>& progress) {
  const uint64_t total = src.size();
  if (dst.size() < total) return Error{"destination is smaller than the source"};
  block = std::max<uint64_t>(block, 512);
  const uint64_t chunk = std::max<uint64_t>(block, 2ull << 20) / block * block;
  std::vector<uint8_t> buf(chunk);
  for (uint64_t off = 0; off < total;) {
    const uint64_t n = std::min(chunk, total - off);
    IoStatus s = src.read(off, buf.data(), n);
    if (!s.ok()) return Error{std::string("read failed at offset ") + std::to_string(off) + ": " + to_string(s.code)};
    // Write runs of non-zero blocks.
    for (uint64_t b = 0; b < n;) {
      const uint64_t bl = std::min(block, n - b);
      if (all_zero(buf.data() + b, bl)) {
        b += bl;
        continue;
      }
      uint64_t run = bl;
      while (b + run < n) {
        const uint64_t next = std::min(block, n - b - run);
        if (all_zero(buf.data() + b + run, next)) break;
        run += next;
      }
      s = dst.write(off + b, buf.data() + b, run);
      if (!s.ok())
        return Error{std::string("write failed at offset ") + std::to_string(off + b) + ": " + to_string(s.code)};
      b += run;
    }
    off += n;
    if (progress) progress(off, total);
  }
  const IoStatus s = dst.flush();
  if (!s.ok()) return Error{std::string("flush failed: ") + to_string(s.code)};
  return true;
}

}  // namespace vessel::storage
