// F and D conversions on the host's SSE unit. x86 answers out-of-range and NaN conversions
// to integers with the "integer indefinite" value where RISC-V saturates, so inputs outside
// the range that converts exactly take the interpreter's path before the host converts
// (no spurious invalid flag). Conversions from integers are exact IEEE 754 on both.
#include <bit>

#include "jit/alu_ops.h"
#include "jit/emit_fp_frame.h"

namespace vessel::jit {

using namespace Xbyak::util;
using namespace riscv::field;

namespace {

// Inputs strictly between lo and hi convert to the integer type without overflow, for
// round-to-nearest-even or toward zero (a double's spacing near 2^63 is 2048).
struct Range {
  double lo, hi;
};
constexpr Range range_of(int kind, bool truncate) {
  switch (kind) {
    case kToW: return truncate ? Range{-2147483649.0, 2147483648.0} : Range{-2147483648.5, 2147483647.5};
    case kToWU: return truncate ? Range{-1.0, 4294967296.0} : Range{-0.5, 4294967295.5};
    case kToL: return Range{-9223372036854777856.0, 9223372036854775808.0};
    default: return truncate ? Range{-1.0, 9223372036854775808.0} : Range{-0.5, 9223372036854775808.0};  // LU below 2^63
  }
}

}  // namespace

template <bool kDouble, int kKind>
bool Translator::emit_fp_to_int(const GuestInsn& g) {
  return emit_fp(g, FpWrites::None, FpRounding::NearestOrTruncate, [&](JumpTarget& slow) {
    const unsigned a = rs1(g.insn);
    const bool truncate = funct3(g.insn) == 1;  // static RTZ; dynamic frm was checked to be RNE
    if constexpr (kDouble) {
      load_fp(true, xmm0, a);
    } else {
      check_boxed(a, slow);
      cvtss2sd(xmm0, fp_source(a, false));  // exact
    }
    const Range range = range_of(kKind, truncate);
    mov(rax, std::bit_cast<uint64_t>(range.lo));
    movq(xmm1, rax);
    ucomisd(xmm0, xmm1);
    jump(slow, Cond::BE);  // at or below lo, or a NaN
    mov(rax, std::bit_cast<uint64_t>(range.hi));
    movq(xmm1, rax);
    ucomisd(xmm0, xmm1);
    jump(slow, Cond::AE);
    if (kKind == kToW) {
      if (truncate) cvttsd2si(eax, xmm0);
      else cvtsd2si(eax, xmm0);
    } else {
      if (truncate) cvttsd2si(rax, xmm0);
      else cvtsd2si(rax, xmm0);
    }
    if (kKind == kToW || kKind == kToWU) movsxd(rax, eax);  // 32-bit results are sign-extended
    store_x(rd(g.insn), rax);
  });
}

template <bool kDouble, int kKind>
bool Translator::emit_fp_from_int(const GuestInsn& g) {
  // A 32-bit integer always fits a double exactly.
  const bool exact = kDouble && (kKind == kToW || kKind == kToWU);
  const FpWrites writes = kDouble ? FpWrites::Double : FpWrites::Single;
  return emit_fp(g, writes, exact ? FpRounding::Exact : FpRounding::Nearest, [&](JumpTarget& slow) {
    load_x(rax, rs1(g.insn));
    if (kKind == kToWU) mov(eax, eax);
    if (kKind == kToLU) {
      test(rax, rax);
      jump(slow, Cond::L);  // 2^63 and above: x86 converts signed integers only
    }
    xorps(xmm0, xmm0);  // no dependency on xmm0's old value
    const Xbyak::Operand& source = kKind == kToW ? static_cast<const Xbyak::Operand&>(eax) : rax;
    if (kDouble) cvtsi2sd(xmm0, source);
    else cvtsi2ss(xmm0, source);
    fp_result(rd(g.insn), kDouble, xmm0);
  });
}

bool Translator::emit_fcvt_s_d(const GuestInsn& g) {
  return emit_fp(g, FpWrites::Single, FpRounding::Nearest, [&](JumpTarget& slow) {
    cvtsd2ss(xmm0, fp_source(rs1(g.insn), true));
    fp_result_unless_nan(rd(g.insn), false, slow);
  });
}

bool Translator::emit_fcvt_d_s(const GuestInsn& g) {
  return emit_fp(g, FpWrites::Double, FpRounding::Exact, [&](JumpTarget& slow) {
    check_boxed(rs1(g.insn), slow);
    cvtss2sd(xmm0, fp_source(rs1(g.insn), false));
    fp_result_unless_nan(rd(g.insn), true, slow);
  });
}

template bool Translator::emit_fp_to_int<true, kToW>(const GuestInsn&);
template bool Translator::emit_fp_to_int<true, kToWU>(const GuestInsn&);
template bool Translator::emit_fp_to_int<true, kToL>(const GuestInsn&);
template bool Translator::emit_fp_to_int<true, kToLU>(const GuestInsn&);
template bool Translator::emit_fp_to_int<false, kToW>(const GuestInsn&);
template bool Translator::emit_fp_to_int<false, kToWU>(const GuestInsn&);
template bool Translator::emit_fp_to_int<false, kToL>(const GuestInsn&);
template bool Translator::emit_fp_to_int<false, kToLU>(const GuestInsn&);
template bool Translator::emit_fp_from_int<true, kToW>(const GuestInsn&);
template bool Translator::emit_fp_from_int<true, kToWU>(const GuestInsn&);
template bool Translator::emit_fp_from_int<true, kToL>(const GuestInsn&);
template bool Translator::emit_fp_from_int<true, kToLU>(const GuestInsn&);
template bool Translator::emit_fp_from_int<false, kToW>(const GuestInsn&);
template bool Translator::emit_fp_from_int<false, kToWU>(const GuestInsn&);
template bool Translator::emit_fp_from_int<false, kToL>(const GuestInsn&);
template bool Translator::emit_fp_from_int<false, kToLU>(const GuestInsn&);

}  // namespace vessel::jit
