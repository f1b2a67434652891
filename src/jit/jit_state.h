// Per-hart data the translated code reads through a base register (rbp): the code epoch,
// the batch's instruction limit and the indirect-jump cache.
#pragma once
#include <atomic>
#include <cstdint>

namespace vessel::jit {

// Guest pc -> entry of its translated block. The entry is 16-byte aligned; its low four
// bits hold the translation context (fetch_ctx | data_ctx << 2) the block was made for.
struct JumpCacheEntry {
  uint64_t pc = ~0ull;
  uintptr_t code = 0;
};
constexpr unsigned kJumpCacheEntries = 2048;

struct JitState {
  std::atomic<uint64_t>* epoch = nullptr;  // the hart's code epoch counter
  uint64_t instret_limit = 0;              // blocks leave when instret reaches it
  JumpCacheEntry jump_cache[kJumpCacheEntries];

  // Slots written since the last clear (only the dispatcher writes entries), so clearing
  // after a TLB flush touches a few entries. More than kTracked: clear everything.
  static constexpr unsigned kTracked = 64;
  uint16_t filled[kTracked] = {};
  unsigned filled_count = 0;

  static unsigned jump_slot(uint64_t pc) { return static_cast<unsigned>(pc >> 1) & (kJumpCacheEntries - 1); }
  JumpCacheEntry& fill_slot(uint64_t pc) {
    const auto index = static_cast<uint16_t>(jump_slot(pc));
    if (filled_count < kTracked) filled[filled_count] = index;
    if (filled_count <= kTracked) ++filled_count;
    return jump_cache[index];
  }
  void clear_jump_cache() {
    if (filled_count <= kTracked) {
      for (unsigned i = 0; i < filled_count; ++i) jump_cache[filled[i]] = JumpCacheEntry{};
    } else {
      for (auto& e : jump_cache) e = JumpCacheEntry{};
    }
    filled_count = 0;
  }
};

}  // namespace vessel::jit
