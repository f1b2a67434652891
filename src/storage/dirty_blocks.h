// DirtyBlocks: one bit per block of a disk (64 KiB by default), set by the block device after
// each guest write while a live migration copies the disk, taken and cleared per round as the
// RAM's dirty log is (docs/design.md, "Live migration"). Lock-free: the I/O thread marks, the
// migration thread harvests.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace vessel::storage {

class DirtyBlocks {
 public:
  static constexpr uint64_t kDefaultBlockBytes = 64 << 10;

  explicit DirtyBlocks(uint64_t disk_bytes, uint64_t block_bytes = kDefaultBlockBytes);

  uint64_t block_bytes() const { return block_bytes_; }
  uint64_t blocks() const { return blocks_; }
  // Marks every block [offset, offset+len) touches.
  void mark(uint64_t offset, uint64_t len);
  // Appends the marked blocks' indices (ascending) to `out` and clears them.
  void harvest(std::vector<uint64_t>& out);
  void clear();

 private:
  uint64_t block_bytes_, blocks_;
  std::unique_ptr<std::atomic<uint64_t>[]> words_;
  size_t nwords_;
};

}  // namespace vessel::storage
