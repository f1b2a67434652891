// The source side of a live migration with disk copy (`"migrate_disks": true`): the VM's
// writable drives go to the destination block by block. Read-only drives are not copied (the
// destination opens the same path, as with shared storage), nor is a qcow2's backing chain:
// only what the top image defines itself travels, and the destination's new top image names
// the same backing file. Guest writes during the copy are tracked per 64 KiB block by the
// virtio-blk devices and re-sent in the rounds, the last of them during the pause.
#pragma once
#include <atomic>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/result.h"

namespace vessel::migration {
class Channel;
}
namespace vessel::storage {
class DiskImage;
class DirtyBlocks;
}  // namespace vessel::storage

namespace vessel::vmm {

class VirtualMachine;
class BlockBatch;

class DiskCopySource {
 public:
  explicit DiskCopySource(VirtualMachine& vm) : vm_(vm) {}
  ~DiskCopySource() { stop_tracking(); }

  // What the DRVS record says about each drive; refuses images a copy would not carry whole.
  Result<nlohmann::json> describe();
  // From here every guest write to a copied drive is logged.
  void start_tracking();
  void stop_tracking();
  // Everything the images define themselves (holes, zero blocks of an image without backing
  // and the backing chain stay behind).
  Result<bool> send_all(migration::Channel& ch, const std::atomic<bool>& cancel);
  // Takes the blocks written since the last harvest into the pending set; returns its size.
  uint64_t harvest();
  uint64_t pending_bytes() const;
  // `last`: during the pause (counted apart, as disk_blocks_last).
  Result<bool> send_pending(migration::Channel& ch, const std::atomic<bool>& cancel, bool last = false);
  void report(nlohmann::json& status) const;

 private:
  struct Drive {
    uint32_t index;
    storage::DiskImage* image;
    storage::DirtyBlocks* dirty = nullptr;
    bool has_backing = false;
    std::vector<uint64_t> pending;  // block indices, sorted, unique
  };
  Result<bool> send_block(migration::Channel& ch, Drive& d, uint64_t block, bool first_pass,
                          BlockBatch& batch);

  VirtualMachine& vm_;
  std::vector<Drive> drives_;
  mutable std::mutex mutex_;  // guards the counters and pending sizes status() reads
  uint64_t bytes_sent_ = 0, blocks_sent_ = 0, blocks_last_ = 0, scanned_bytes_ = 0, zero_blocks_ = 0, pending_blocks_ = 0, total_bytes_ = 0;
};

}  // namespace vessel::vmm
