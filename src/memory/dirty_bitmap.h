// One bit per 4 KiB guest page, set by whatever writes guest RAM: the soft MMU when it fills a
// write TLB entry (so translated code's inline stores need no check: the harts' write entries
// are dropped at each harvest, see VirtualMachine::sync_dirty_log), the slow store paths, and
// devices after their DMA writes. Live migration harvests it once per pre-copy round. No
// mprotect and no userfaultfd: the soft MMU already sees every first store to a page.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace vessel::memory {

class DirtyBitmap {
 public:
  static constexpr unsigned kPageShift = 12;

  void resize(uint64_t pages) {
    words_count_ = (pages + 63) / 64;
    pages_ = pages;
    words_ = std::make_unique<std::atomic<uint64_t>[]>(words_count_);
    for (size_t i = 0; i < words_count_; ++i) words_[i].store(0, std::memory_order_relaxed);
  }
  uint64_t pages() const { return pages_; }

  // Cheap when already set (a load, no write to a shared cache line). Release: a device marks
  // after its write, so whoever harvests the bit also sees the data.
  void mark(uint64_t page) {
    std::atomic<uint64_t>& w = words_[page >> 6];
    const uint64_t bit = 1ull << (page & 63);
    if (!(w.load(std::memory_order_relaxed) & bit)) w.fetch_or(bit, std::memory_order_release);
  }
  void mark_range(uint64_t first, uint64_t count) {
    for (uint64_t p = first; p < first + count && p < pages_; ++p) mark(p);
  }
  bool test(uint64_t page) const { return (words_[page >> 6].load(std::memory_order_acquire) >> (page & 63)) & 1; }

  // Appends the marked pages to `out` in ascending order and clears them (each word at once,
  // so no mark made meanwhile is lost: it lands either in this harvest or in the next).
  void harvest(std::vector<uint64_t>& out) {
    for (size_t i = 0; i < words_count_; ++i) {
      if (!words_[i].load(std::memory_order_relaxed)) continue;
      uint64_t w = words_[i].exchange(0, std::memory_order_acquire);
      while (w) {
        out.push_back(i * 64 + static_cast<uint64_t>(__builtin_ctzll(w)));
        w &= w - 1;
      }
    }
  }
  uint64_t count() const {
    uint64_t n = 0;
    for (size_t i = 0; i < words_count_; ++i) n += static_cast<uint64_t>(__builtin_popcountll(words_[i].load(std::memory_order_relaxed)));
    return n;
  }

 private:
  std::unique_ptr<std::atomic<uint64_t>[]> words_;
  size_t words_count_ = 0;
  uint64_t pages_ = 0;
};

}  // namespace vessel::memory
