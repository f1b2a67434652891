// The interpreter: runs pre-decoded blocks of guest code (BlockCache), one instruction at a
// time where a block cannot be used (fetch faults, page-crossing instructions, the tail of
// an exact batch, tracing), in batches between which interrupts, timers and stop requests
// are checked.
#pragma once
#include <cstdint>

#include "cpu/riscv/block_cache.h"
#include "cpu/riscv/decoder.h"
#include "cpu/riscv/engine.h"
#include "cpu/riscv/hart.h"

namespace vessel::riscv {

class Interpreter final : public ExecutionEngine {
 public:
  explicit Interpreter(Hart& hart);

  // Executes one instruction (or takes a trap); returns nothing: all effects are in the hart.
  void step();
  // Runs until a batch boundary: at most `budget` instructions, fewer if the hart asked
  // for an early return (end_batch: interrupt state changed, WFI, ...). Returns the count.
  uint64_t run_batch(uint64_t budget) override;
  void release_memory() override { blocks_.release(); }

  // Optional per-instruction trace to stderr (--trace).
  bool trace = false;
  // false: every instruction through step() (the reference the block path is tested against).
  bool decoded_blocks = true;
  // Exact budgets retire exactly `budget` instructions (the tail shorter than a block is
  // stepped); otherwise a batch may run up to one block (63 instructions) long.
  bool exact_budget = true;

  // Tiering under the JIT: with a threshold, run_batch runs each block that many times and
  // then stops before it (and before blocks the JIT has translated), with pc at its start,
  // so the JIT can translate and run it.
  uint8_t hot_threshold = 0;
  // The last run_batch stopped before a hot or translated block.
  bool stopped_at_hot_block() const { return stopped_hot_; }
  // The JIT translated the code at pc (host address guest): stop before it from now on.
  void note_translated(uint64_t pc, const uint8_t* guest) {
    if (DecodedBlock* b = blocks_.find(pc, guest)) b->translated = true;
  }

 private:
  // Decoded instructions by address. The raw bits are fetched and compared every time, so
  // rewritten code (and different mappings of the same address) simply miss.
  struct DecodedEntry {
    uint64_t pc = ~0ull;
    uint32_t raw = 0;   // 16 or 32 bits as fetched
    uint32_t insn = 0;  // 32-bit equivalent (compressed expanded)
    Handler handler = nullptr;
  };
  void decode(DecodedEntry& e, uint64_t pc, uint32_t raw);
  // run_batch through decoded blocks (block_runner.cpp).
  uint64_t run_blocks(uint64_t budget);
  // The page number is folded in, so code at the same offset of different pages (a kernel
  // spreads its functions over megabytes) does not share one entry.
  static unsigned slot(uint64_t pc) { return static_cast<unsigned>((pc >> 1) ^ (pc >> 13)) & (kCacheSize - 1); }

  Hart& hart_;
  const Decoder& decoder_;
  static constexpr unsigned kCacheSize = 8192;
  DecodedEntry cache_[kCacheSize];
  BlockCache blocks_;
  bool stopped_hot_ = false;
};

}  // namespace vessel::riscv
