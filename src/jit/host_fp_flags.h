// Translated F and D instructions run on the host's SSE unit, whose sticky exception flags
// (MXCSR) then hold the guest's accrued fflags until they are folded into the hart: when
// translated code returns to the dispatcher and before a CSR instruction can read them.
// C++ code between blocks may raise host flags of its own (hash tables use floats), so the
// flags are cleared again before translated code is entered.
#pragma once
#include <xmmintrin.h>

#include <cstdint>

#include "cpu/riscv/fp_format.h"

namespace vessel::jit {

// Round to nearest even, every exception masked, no flush-to-zero or denormals-are-zero:
// the host computes IEEE 754 results, as RISC-V requires.
constexpr uint32_t kGuestMxcsr = 0x1f80;

// MXCSR's flags (IE, DE, ZE, OE, UE, PE in bits 0-5) as fflags (NX, UF, OF, DZ, NV in bits
// 0-4). DE (a denormal operand) has no RISC-V counterpart.
constexpr uint8_t fflags_of_mxcsr(uint32_t mxcsr) {
  return static_cast<uint8_t>((mxcsr & 0x01 ? 0x10 : 0) | (mxcsr & 0x04 ? 0x08 : 0) | (mxcsr & 0x08 ? 0x04 : 0) |
                              (mxcsr & 0x10 ? 0x02 : 0) | (mxcsr & 0x20 ? 0x01 : 0));
}

inline void prepare_host_fp() {
  if (_mm_getcsr() != kGuestMxcsr) _mm_setcsr(kGuestMxcsr);
}

inline void fold_host_fp_flags(riscv::Hart& h) {
  const uint32_t mxcsr = _mm_getcsr();
  if (mxcsr == kGuestMxcsr) return;
  riscv::accrue(h, fflags_of_mxcsr(mxcsr));
  _mm_setcsr(kGuestMxcsr);
}

}  // namespace vessel::jit
