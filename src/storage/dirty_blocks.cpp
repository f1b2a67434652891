#include "storage/dirty_blocks.h"

#include <algorithm>

namespace vessel::storage {

DirtyBlocks::DirtyBlocks(uint64_t disk_bytes, uint64_t block_bytes)
    : block_bytes_(block_bytes),
      blocks_((disk_bytes + block_bytes - 1) / block_bytes),
      words_(new std::atomic<uint64_t>[(blocks_ + 63) / 64]),
      nwords_((blocks_ + 63) / 64) {
  clear();
}

void DirtyBlocks::mark(uint64_t offset, uint64_t len) {
  if (len == 0) return;
  const uint64_t first = offset / block_bytes_;
  const uint64_t last = std::min((offset + len - 1) / block_bytes_, blocks_ ? blocks_ - 1 : 0);
  for (uint64_t b = first; b <= last && b < blocks_; ++b)
    words_[b / 64].fetch_or(uint64_t{1} << (b % 64), std::memory_order_release);
}

void DirtyBlocks::harvest(std::vector<uint64_t>& out) {
  for (size_t w = 0; w < nwords_; ++w) {
    if (words_[w].load(std::memory_order_relaxed) == 0) continue;
    uint64_t bits = words_[w].exchange(0, std::memory_order_acq_rel);
    while (bits) {
      out.push_back(w * 64 + static_cast<uint64_t>(__builtin_ctzll(bits)));
      bits &= bits - 1;
    }
  }
}

void DirtyBlocks::clear() {
  for (size_t w = 0; w < nwords_; ++w) words_[w].store(0, std::memory_order_relaxed);
}

}  // namespace vessel::storage
