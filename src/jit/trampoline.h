// The fixed routines every block relies on: entering translated code from C++, leaving
// it, and looking up an indirect jump target in the jump cache.
#pragma once
#include <cstdint>

#include <xbyak/xbyak.h>

#include "cpu/riscv/hart.h"
#include "jit/jit_state.h"

namespace vessel::jit {

class Trampoline : public Xbyak::CodeGenerator {
 public:
  // Emits into [buffer, buffer + size).
  Trampoline(uint8_t* buffer, size_t size);

  // Runs translated code at `code` with rbx = hart and rbp = state; returns the exit tag.
  uintptr_t enter(riscv::Hart& h, JitState& s, const uint8_t* code) const { return enter_(&h, &s, code); }

  // Blocks jump here with the exit tag in rax.
  const uint8_t* exit() const { return exit_; }
  // Blocks jump here with the target pc in rax (already stored in hart.pc) and their
  // translation context in edx: continues in the cached block or returns to the dispatcher.
  const uint8_t* jump_cache_lookup() const { return lookup_; }

 private:
  uintptr_t (*enter_)(riscv::Hart*, JitState*, const uint8_t*) = nullptr;
  const uint8_t* exit_ = nullptr;
  const uint8_t* lookup_ = nullptr;
};

}  // namespace vessel::jit
