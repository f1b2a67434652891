// virtio-blk: a disk backed by a storage::DiskImage (raw or qcow2). Flush is honoured
// (durable before completion); discard, write-zeroes, GET_ID and read-only are supported.
#pragma once
#include <atomic>
#include <memory>
#include <string>

#include "common/rate_limiter.h"
#include "devices/virtio/virtio_device.h"
#include "storage/dirty_blocks.h"
#include "storage/disk_image.h"

namespace vessel::devices::virtio {

class BlockDevice : public VirtioDevice {
 public:
  BlockDevice(std::unique_ptr<storage::DiskImage> image, bool read_only, std::string serial);

  uint32_t device_id() const override { return 2; }
  const char* name() const override { return "blk"; }
  uint64_t device_features() const override;
  unsigned num_queues() const override { return 1; }
  void read_config(uint64_t offset, uint8_t* data, unsigned len) override;
  bool activate(const ActiveState& state, std::string&) override {
    state_ = state;
    return true;
  }
  void reset() override { state_ = {}; }
  bool process_queue(unsigned q) override;
  std::vector<Watch> backend_watches() const override { return {{limiter_.timer_fd(), 0, true}}; }
  // bytes/s and requests/s the guest may use (any thread).
  RateLimiter& limiter() { return limiter_; }

  storage::DiskImage& image() { return *image_; }
  // Another handle on the same disk (a migration's destination reopens it writable once the
  // source stopped). Only while the I/O thread is stopped.
  // Dirty-block tracking for a live migration's disk copy: from start_tracking() on, every
  // write the guest makes marks its blocks in dirty_blocks(). The map is kept (never freed
  // under the I/O thread) once made; without tracking a write costs one relaxed load.
  storage::DirtyBlocks& start_tracking();
  void stop_tracking() { tracking_.store(false, std::memory_order_release); }
  void replace_image(std::unique_ptr<storage::DiskImage> image) {
    image_ = std::move(image);
    read_only_ = configured_read_only_ || image_->read_only();
  }

 private:
  uint8_t execute(const Chain& chain, uint64_t& written);
  // After a write has reached the image (a harvest that misses the mark finds it next round).
  void mark_written(uint64_t offset, uint64_t len) {
    if (tracking_.load(std::memory_order_acquire)) dirty_->mark(offset, len);
  }

  std::unique_ptr<storage::DiskImage> image_;
  bool configured_read_only_;
  bool read_only_;
  std::string serial_;
  ActiveState state_;
  RateLimiter limiter_;
  std::unique_ptr<storage::DirtyBlocks> dirty_;
  std::atomic<bool> tracking_{false};
};

}  // namespace vessel::devices::virtio
