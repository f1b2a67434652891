// Per-hart data the translated code reads through a base register (rbp): the code epoch,
// the batch's instruction limit, the fetch TLBs and the indirect-jump cache.
#pragma once
#include <atomic>
#include <cstdint>

#include "cpu/riscv/tlb.h"

namespace vessel::jit {

// Guest pc -> entry of its translated block. The entry is 16-byte aligned; its low four
// bits hold the translation context (fetch_ctx | data_ctx << 2) the block was made for.
// `guest` is the host address the pc translated to: an entry is used only while the
// hart's fetch TLB still maps the pc there, so entries survive TLB flushes (a guest
// switching address spaces) and are checked instead of cleared.
struct JumpCacheEntry {
  uint64_t pc = ~0ull;
  uintptr_t code = 0;
  const uint8_t* guest = nullptr;
  uint64_t unused = 0;  // 32-byte entries: the index scales by a shift
};
constexpr unsigned kJumpCacheEntries = 4096;

// A load site's last translation: (TLB epoch's low bits << 54 | guest page << 2 | data
// context) -> host addend. Read before the address is known, it takes the TLB's index
// computation and entry load off a pointer chase's critical path. Sites share slots
// round-robin: a slot is a fully tagged translation, whichever site filled it. The epoch in
// the tag retires a slot at the hart's next TLB flush (Linux flushes on every page fault:
// emptying all slots each time cost a boot 15 % more CPU); they are emptied only when the
// epoch's high bits move.
struct LoadSite {
  uint64_t tag = ~0ull;
  uintptr_t addend = 0;
};
constexpr unsigned kLoadSites = 1024;
constexpr unsigned kLoadSiteEpochShift = 54, kLoadSiteEpochBits = 10;

struct JitState {
  std::atomic<uint64_t>* epoch = nullptr;  // the hart's code epoch counter
  // Called by a block whose epoch check failed: true when its guest code is unchanged (the
  // epoch immediate is then updated and the block re-entered without leaving).
  bool (*revalidate)(void* engine, struct Block* block) = nullptr;
  void* engine = nullptr;
  const riscv::TlbEntry* fetch_tlb[riscv::kNumCtx] = {};  // the hart's fetch TLB per context
  uint64_t instret_limit = 0;              // blocks leave when instret reaches it
  uint32_t mxcsr = 0;                      // STMXCSR/LDMXCSR go through memory
  // OR-ed into a single's bits to NaN-box it (ORPS takes an aligned 16-byte operand)
  alignas(16) uint64_t nan_box[2] = {0xffffffff00000000ull, 0};
  // fflags for each value of MXCSR's six flag bits (host_fp_flags.h)
  uint8_t fflags_of_mxcsr[64] = {};
  JumpCacheEntry jump_cache[kJumpCacheEntries];
  LoadSite load_sites[kLoadSites];
  uint64_t load_sites_epoch = 0;  // the hart's tlb_epoch the tags are made under
  uint64_t load_site_epoch_tag = 0;  // its low bits, in place in a tag

  static void sync_load_sites(JitState* state, uint64_t epoch) {
    if ((epoch >> kLoadSiteEpochBits) != (state->load_sites_epoch >> kLoadSiteEpochBits))
      for (auto& site : state->load_sites) site = LoadSite{};
    state->load_sites_epoch = epoch;
    state->load_site_epoch_tag = (epoch & ((1u << kLoadSiteEpochBits) - 1)) << kLoadSiteEpochShift;
  }

  // The page number is folded in: functions at the same offset of different pages (a
  // kernel has thousands) must not all compete for one slot.
  static unsigned jump_slot(uint64_t pc) {
    return static_cast<unsigned>((pc >> 1) ^ (pc >> 12)) & (kJumpCacheEntries - 1);
  }
  // Only when the whole code cache goes: entries are checked against the fetch TLB, so TLB
  // flushes leave them in place.
  void clear_jump_cache() {
    for (auto& e : jump_cache) e = JumpCacheEntry{};
  }
};

}  // namespace vessel::jit
