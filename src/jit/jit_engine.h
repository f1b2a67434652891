// The JIT execution engine of one hart: looks up or translates the block at pc, runs
// translated code, links blocks, revalidates them after FENCE.I, leaves code that is not
// hot yet to the interpreter's decoded blocks (which count runs and hand hot blocks over),
// and falls back to the interpreter for single instructions it cannot translate (fetch
// faults, page-straddling instructions). One code cache per hart: no locking; invalidation
// through the shared code epoch.
#pragma once
#include <cstdio>
#include <deque>
#include <memory>

#include "cpu/riscv/engine.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/interpreter.h"
#include "jit/block.h"
#include "jit/block_map.h"
#include "jit/code_buffer.h"
#include "jit/hart_layout.h"
#include "jit/jit_state.h"
#include "jit/trampoline.h"
#include "jit/translator.h"

namespace vessel::jit {

struct JitStats {
  uint64_t blocks_translated = 0, cache_flushes = 0, revalidations = 0, invalidated = 0, links = 0;
  uint64_t dispatches = 0, dispatch_jc_hits = 0, lookups = 0, cold_runs = 0, tlb_misses = 0;
  uint64_t translate_cycles = 0;  // time stamp counter ticks spent translating
};

class JitEngine final : public riscv::ExecutionEngine {
 public:
  // `code_bytes`: size of this hart's code cache (reserved address space).
  explicit JitEngine(riscv::Hart& hart, size_t code_bytes = 64ull << 20);
  ~JitEngine() override;
  // False when executable memory could not be mapped (the caller then interprets).
  bool ok() const { return buffer_.ok(); }

  uint64_t run_batch(uint64_t budget) override;
  // Drops every translation and returns the code pages, unless the cache is small (an
  // idle guest's timer path stays translated).
  void release_memory() override;
  // Exact budgets retire exactly `budget` instructions (interpreting the tail that is
  // shorter than a block); otherwise a batch may end up to one block early.
  bool exact_budget = true;
  // Times a block is interpreted before it is translated: most of a boot's code runs a
  // handful of times, and interpreting it is far cheaper than translating it.
  uint8_t hot_threshold = 0;
  const JitStats& stats() const { return stats_; }

 private:
  // The block for the hart's current pc and context, translating it if needed; nullptr
  // when the next instruction must be interpreted.
  Block* find_block();
  // Interprets from pc until the interpreter reaches a hot or translated block (hot_pc_)
  // or the batch ends.
  void interpret_run();
  void link(LinkSite& site);
  // JitState::revalidate, called by a block whose epoch check failed: true (and the block's
  // epoch updated) when its guest bytes are unchanged; else it exits with kExitStale.
  static bool still_valid(void* engine, Block* block);
  // Host address of the guest code at the hart's pc through the fetch TLB, or nullptr.
  const uint8_t* guest_code_at_pc() const;
  void kill(Block& block);
  void flush_all();
  // The dispatcher's use of the jump cache, with the trampoline's checks.
  bool jump_cache_hit(const JumpCacheEntry& slot) const;

  riscv::Hart& hart_;
  riscv::Interpreter interpreter_;
  CodeBuffer buffer_;
  HartLayout layout_;
  std::unique_ptr<Trampoline> trampoline_;
  std::deque<LinkSite> link_sites_;
  std::unique_ptr<Translator> translator_;
  std::deque<Block> blocks_;
  BlockMap map_;
  uint64_t hot_pc_ = ~uint64_t{0};  // where the interpreter stopped before a hot block
  bool cold_ = false;  // find_block declined: the block is not hot yet
  std::unique_ptr<JitState> state_;
  JitStats stats_;
  FILE* perf_map_ = nullptr;  // VESSEL_PERF_MAP=1: /tmp/perf-PID.map, so perf names blocks
};

}  // namespace vessel::jit
