// Which ranges an image defines itself (DiskImage::allocated): what a live migration with
// disk copy sends. Raw asks the file system for holes; qcow2 reads the top image's L2 tables,
// leaving clusters that fall through to the backing chain behind.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "storage/qcow2_image.h"
#include "storage/raw_image.h"

namespace vessel::storage {

IoStatus RawImage::allocated(uint64_t offset, uint64_t len, bool* out) {
  if (!in_range(offset, len)) return IoStatus::error(IoCode::OutOfRange);
  *out = true;
  const off_t data = lseek(file_.fd(), static_cast<off_t>(offset), SEEK_DATA);
  if (data < 0) {
    // ENXIO: no data at or after offset; anything else (no SEEK_DATA): assume data.
    if (errno == ENXIO) *out = false;
    return IoStatus::success();
  }
  *out = static_cast<uint64_t>(data) < offset + len;
  return IoStatus::success();
}

IoStatus Qcow2Image::allocated(uint64_t offset, uint64_t len, bool* out) {
  if (!in_range(offset, len)) return IoStatus::error(IoCode::OutOfRange);
  std::lock_guard lock(mu_);
  *out = false;
  if (len == 0) return IoStatus::success();
  const uint64_t last = (offset + len - 1) >> g_.cluster_bits;
  for (uint64_t gc = offset >> g_.cluster_bits; gc <= last; ++gc) {
    L2Table* t;
    uint64_t idx;
    VESSEL_TRY_IO(l2_for(gc, false, &t, &idx));
    // Any entry (data, compressed, or a zero cluster, which hides the backing file) counts.
    if (t && t->entries[idx] != 0) {
      *out = true;
      return IoStatus::success();
    }
  }
  return IoStatus::success();
}

}  // namespace vessel::storage
