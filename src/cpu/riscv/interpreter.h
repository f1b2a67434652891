// The interpreter: fetch, decode through the encoding table, execute, in batches
// between which interrupts, timers and stop requests are checked.
#pragma once
#include <cstdint>

#include "cpu/riscv/decoder.h"
#include "cpu/riscv/hart.h"

namespace vessel::riscv {

class Interpreter {
 public:
  explicit Interpreter(Hart& hart);

  // Executes one instruction (or takes a trap); returns nothing: all effects are in the hart.
  void step();
  // Runs until a batch boundary: at most `budget` instructions, fewer if the hart asked
  // for an early return (end_batch: interrupt state changed, WFI, ...). Returns the count.
  uint64_t run_batch(uint64_t budget);

  // Optional per-instruction trace to stderr (--trace).
  bool trace = false;

 private:
  struct CacheEntry {
    uint32_t insn = 0;  // 0 is never a valid 32-bit instruction
    Handler handler = nullptr;
  };
  Handler lookup(uint32_t insn);

  Hart& hart_;
  const Decoder& decoder_;
  static constexpr unsigned kCacheSize = 4096;
  CacheEntry cache_[kCacheSize];
};

}  // namespace vessel::riscv
