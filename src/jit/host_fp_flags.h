// Translated F and D instructions run on the host's SSE unit, whose sticky exception flags
// (MXCSR) then hold the guest's accrued fflags until they are folded into the hart: when
// translated code returns to the dispatcher and before a CSR instruction can read them
// (translated fflags/fcsr accesses read MXCSR themselves: emit_fp_csr.cpp). C++ code between
// blocks may raise host flags of its own (hash tables use floats).
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

// Invariant while translated code runs: the guest's flags are hart.fflags | P, where P are
// the flags MXCSR holds, and each flag in P was raised by the guest since it was last
// cleared. Clearing MXCSR costs a pipeline stall, so flags already in fflags stay in MXCSR
// (host code's own inexact results then add nothing) unless mstatus.FS is not Dirty: then a
// raised flag must still set it, and MXCSR starts clean.
inline bool fs_dirty(const riscv::Hart& h) { return (h.csr.mstatus & riscv::mstatus::kFS) == riscv::mstatus::kFS; }

// Before translated code is entered.
inline void prepare_host_fp(const riscv::Hart& h) {
  const uint32_t mxcsr = _mm_getcsr();
  if (mxcsr == kGuestMxcsr) return;
  if ((mxcsr & ~0x3fu) != kGuestMxcsr || (fflags_of_mxcsr(mxcsr) & ~h.csr.fflags) || !fs_dirty(h))
    _mm_setcsr(kGuestMxcsr);
}

// After translated code returned: fflags gets P (MXCSR keeps it).
inline void fold_host_fp_flags(riscv::Hart& h) {
  const uint32_t mxcsr = _mm_getcsr();
  if (mxcsr == kGuestMxcsr) return;
  const uint8_t flags = fflags_of_mxcsr(mxcsr);
  if ((flags & ~h.csr.fflags) || (flags && !fs_dirty(h))) riscv::accrue(h, flags);
}

// Before a CSR instruction's handler, which may read or write fflags or mstatus.FS.
inline void fold_and_clear_host_fp_flags(riscv::Hart& h) {
  const uint32_t mxcsr = _mm_getcsr();
  if (mxcsr == kGuestMxcsr) return;
  riscv::accrue(h, fflags_of_mxcsr(mxcsr));
  _mm_setcsr(kGuestMxcsr);
}

}  // namespace vessel::jit
