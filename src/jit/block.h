// A translated guest basic block and the direct jumps that lead to it.
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

namespace vessel::jit {

struct Block;

// A block exit whose target lies on the same guest page: a `jmp rel32` that first goes to
// a stub asking the dispatcher to link it, then straight to the target block.
struct LinkSite {
  Block* from = nullptr;
  uint8_t* rel32 = nullptr;  // the displacement of the jmp
  uint8_t* stub = nullptr;   // where it points while unlinked
  uint64_t target_pc = 0;
};

struct Block {
  uint64_t pc = 0;              // guest virtual address of the first instruction
  const uint8_t* guest = nullptr;  // host address of that instruction (guest RAM)
  uint8_t ctx = 0;              // fetch_ctx | data_ctx << 2
  uint32_t length = 0;          // guest instructions
  bool dead = false;            // guest code changed: never entered through the cache again
  const uint8_t* copy_from = nullptr;  // host address of the lowest guest byte translated
  std::vector<uint8_t> code_copy;   // guest bytes translated (one span of the page), compared after FENCE.I
  uint8_t* entry = nullptr;     // host code (16-byte aligned)
  uint8_t* epoch_imm = nullptr;     // immediate of the prologue's epoch comparison (unaligned)
  void set_epoch(uint32_t epoch) const { memcpy(epoch_imm, &epoch, sizeof epoch); }
  std::vector<LinkSite*> incoming;  // linked jumps into this block
};

// Tagged values a block leaves in rax when it returns to the dispatcher.
enum ExitTag : uintptr_t { kExitPlain = 0, kExitLink = 1, kExitStale = 2, kExitTagMask = 3 };

}  // namespace vessel::jit
