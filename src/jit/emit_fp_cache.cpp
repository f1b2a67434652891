// f registers kept in xmm2-xmm15 while a block runs, so that a chain of floating-point
// operations passes its values in registers instead of through the hart (a store-to-load
// forwarding delay on every step). The hart is written at once as well (write-through):
// exits, traps and handlers see current registers without a write-back.
#include <cstddef>

#include "jit/jit_state.h"
#include "jit/translator.h"

namespace vessel::jit {

using namespace Xbyak::util;

void Translator::choose_cached_fp_registers(const std::vector<GuestInsn>& insns) {
  unsigned uses[32] = {};
  for (const GuestInsn& g : insns) {
    if (!g.emit) continue;
    const uint32_t i = g.insn, op = i & 0x7f;
    const unsigned d = (i >> 7) & 31, s1 = (i >> 15) & 31, s2 = (i >> 20) & 31, s3 = i >> 27;
    if (op == 0x07) {
      ++uses[d];
    } else if (op == 0x43 || op == 0x47 || op == 0x4b || op == 0x4f) {
      ++uses[s1], ++uses[s2], ++uses[s3], ++uses[d];
    } else if (op == 0x53) {
      switch (i >> 27) {
        case 0x00: case 0x01: case 0x02: case 0x03: case 0x05: ++uses[s1], ++uses[s2], ++uses[d]; break;
        case 0x14: ++uses[s1], ++uses[s2]; break;                    // comparisons
        case 0x0b: case 0x08: ++uses[s1], ++uses[d]; break;          // sqrt, fcvt.s.d/fcvt.d.s
        case 0x18: ++uses[s1]; break;                                // to integers
        case 0x1a: ++uses[d]; break;                                 // from integers
        default: break;
      }
    }
  }
  for (auto& x : xmm_of_) x = -1;
  fp_cached_count_ = 0;
  while (fp_cached_count_ < kCachedFpRegs) {
    unsigned best = 0;  // f0 is an ordinary register
    for (unsigned r = 1; r < 32; ++r)
      if (uses[r] > uses[best]) best = r;
    if (uses[best] < 2) break;
    xmm_of_[best] = static_cast<int8_t>(fp_cached_count_);
    fp_cached_guest_[fp_cached_count_++] = best;
    uses[best] = 0;
  }
}

void Translator::load_cached_fp() {
  for (unsigned k = 0; k < fp_cached_count_; ++k) movsd(kFpCacheRegs[k], fq(fp_cached_guest_[k]));
}

const Xbyak::Operand& Translator::fp_source(unsigned r, bool is_double) {
  if (const Xbyak::Xmm* x = fp_cached(r)) return *x;
  std::optional<Xbyak::Address>& slot = fp_memory_[fp_memory_next_++ % 4];
  slot.emplace(is_double ? fq(r) : fd(r));
  return *slot;
}

void Translator::load_fp(bool is_double, const Xbyak::Xmm& dst, unsigned r) {
  const Xbyak::Operand& source = fp_source(r, is_double);
  if (source.isXMM()) movaps(dst, source);
  else if (is_double) movsd(dst, source);
  else movss(dst, source);
}

void Translator::fp_result(unsigned r, bool is_double, const Xbyak::Xmm& value) {
  if (!is_double) orps(value, xword[rbp + static_cast<int32_t>(offsetof(JitState, nan_box))]);
  movsd(fq(r), value);
  if (const Xbyak::Xmm* x = fp_cached(r)) movaps(*x, value);
}

void Translator::fp_result_unless_nan(unsigned r, bool is_double, JumpTarget& slow) {
  if (is_double) ucomisd(xmm0, xmm0);
  else ucomiss(xmm0, xmm0);
  jump(slow, Cond::P);  // unordered with itself: a NaN
  fp_result(r, is_double, xmm0);
}

void Translator::fp_result_bits(unsigned r, bool is_double) {
  if (!is_double) or_(rax, qword[rbp + static_cast<int32_t>(offsetof(JitState, nan_box))]);
  mov(fq(r), rax);
  if (const Xbyak::Xmm* x = fp_cached(r)) movq(*x, rax);
}

}  // namespace vessel::jit
