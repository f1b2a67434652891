// F and D arithmetic on the host's SSE unit: add, sub, mul, div, sqrt, fused multiply-add
// (FMA3, when the host has it), min/max and comparisons. IEEE 754 gives the host the same
// results and flags as RISC-V (tininess after rounding on both) except for NaN results,
// where RISC-V returns the canonical NaN: those take the interpreter's path.
#include "jit/alu_ops.h"
#include "jit/emit_fp_frame.h"

namespace vessel::jit {

using namespace Xbyak::util;
using namespace riscv::field;

bool Translator::native_rounding(uint32_t insn, FpRounding rounding) {
  const unsigned rm = funct3(insn);
  switch (rounding) {
    case FpRounding::None: return true;
    case FpRounding::Exact: return rm <= 4 || rm == 7;
    case FpRounding::Nearest: return rm == 0 || rm == 7;
    case FpRounding::NearestOrTruncate: return rm <= 1 || rm == 7;
  }
  return false;
}

void Translator::check_boxed(unsigned r, JumpTarget& slow) {
  if (boxed_ & (1u << r)) return;
  cmp(dword[rbx + layout_.freg(r) + 4], -1);
  jump(slow, Cond::NE);
}



template <bool kDouble, int kOp>
bool Translator::emit_fp_arith(const GuestInsn& g) {
  const FpWrites writes = kDouble ? FpWrites::Double : FpWrites::Single;
  return emit_fp(g, writes, FpRounding::Nearest, [&](JumpTarget& slow) {
    const unsigned a = rs1(g.insn), b = rs2(g.insn), d = rd(g.insn);
    if (!kDouble) {
      check_boxed(a, slow);
      check_boxed(b, slow);
    }
    load_fp(kDouble, xmm0, a);
    const Xbyak::Operand& second = fp_source(b, kDouble);
    if constexpr (kDouble) {
      switch (kOp) {
        case kFAdd: addsd(xmm0, second); break;
        case kFSub: subsd(xmm0, second); break;
        case kFMul: mulsd(xmm0, second); break;
        case kFDiv: divsd(xmm0, second); break;
      }
    } else {
      switch (kOp) {
        case kFAdd: addss(xmm0, second); break;
        case kFSub: subss(xmm0, second); break;
        case kFMul: mulss(xmm0, second); break;
        case kFDiv: divss(xmm0, second); break;
      }
    }
    fp_result_unless_nan(d, kDouble, slow);
  });
}

template <bool kDouble>
bool Translator::emit_fp_sqrt(const GuestInsn& g) {
  const FpWrites writes = kDouble ? FpWrites::Double : FpWrites::Single;
  return emit_fp(g, writes, FpRounding::Nearest, [&](JumpTarget& slow) {
    const unsigned a = rs1(g.insn), d = rd(g.insn);
    if constexpr (kDouble) {
      sqrtsd(xmm0, fp_source(a, true));
    } else {
      check_boxed(a, slow);
      sqrtss(xmm0, fp_source(a, false));
    }
    fp_result_unless_nan(d, kDouble, slow);
  });
}

// RISC-V's fnmsub is -(a*b)+c (x86's fnmadd) and its fnmadd -(a*b)-c (x86's fnmsub).
template <bool kDouble, int kOp>
bool Translator::emit_fp_fused(const GuestInsn& g) {
  const FpWrites writes = kDouble ? FpWrites::Double : FpWrites::Single;
  return emit_fp(g, writes, FpRounding::Nearest, [&](JumpTarget& slow) {
    const unsigned a = rs1(g.insn), b = rs2(g.insn), c = rs3(g.insn), d = rd(g.insn);
    if (!kDouble) {
      check_boxed(a, slow);
      check_boxed(b, slow);
      check_boxed(c, slow);
    }
    load_fp(kDouble, xmm0, a);
    load_fp(kDouble, xmm1, b);
    const Xbyak::Operand& addend = fp_source(c, kDouble);
    if constexpr (kDouble) {
      switch (kOp) {
        case kFMAdd: vfmadd213sd(xmm0, xmm1, addend); break;
        case kFMSub: vfmsub213sd(xmm0, xmm1, addend); break;
        case kFNMSub: vfnmadd213sd(xmm0, xmm1, addend); break;
        case kFNMAdd: vfnmsub213sd(xmm0, xmm1, addend); break;
      }
    } else {
      switch (kOp) {
        case kFMAdd: vfmadd213ss(xmm0, xmm1, addend); break;
        case kFMSub: vfmsub213ss(xmm0, xmm1, addend); break;
        case kFNMSub: vfnmadd213ss(xmm0, xmm1, addend); break;
        case kFNMAdd: vfnmsub213ss(xmm0, xmm1, addend); break;
      }
    }
    fp_result_unless_nan(d, kDouble, slow);
  });
}

// RISC-V's min/max order -0 below +0 and return the other operand when one is a quiet
// NaN; x86's return the second operand on equality or any NaN. Equal operands are either
// identical or zeros of both signs: OR (min) or AND (max) of the bits picks the right one.
// Any NaN takes the interpreter's path.
template <bool kDouble, bool kMax>
bool Translator::emit_fp_minmax(const GuestInsn& g) {
  const FpWrites writes = kDouble ? FpWrites::Double : FpWrites::Single;
  return emit_fp(g, writes, FpRounding::None, [&](JumpTarget& slow) {
    const unsigned a = rs1(g.insn), b = rs2(g.insn), d = rd(g.insn);
    JumpTarget& differ = new_target();
    JumpTarget& store = new_target();
    if (!kDouble) {
      check_boxed(a, slow);
      check_boxed(b, slow);
    }
    load_fp(kDouble, xmm0, a);
    load_fp(kDouble, xmm1, b);
    if (kDouble) ucomisd(xmm0, xmm1);
    else ucomiss(xmm0, xmm1);
    jump(slow, Cond::P);
    jump(differ, Cond::NE);
    if (kMax) andps(xmm0, xmm1);
    else orps(xmm0, xmm1);
    jump(store);
    bind(differ);
    if constexpr (kDouble) {
      if (kMax) maxsd(xmm0, xmm1);
      else minsd(xmm0, xmm1);
    } else {
      if (kMax) maxss(xmm0, xmm1);
      else minss(xmm0, xmm1);
    }
    bind(store);
    fp_result(d, kDouble, xmm0);
  });
}

// feq is a quiet comparison (UCOMIS*: invalid only for signaling NaNs), flt and fle are
// signaling ones (COMIS*: invalid for any NaN), as in RISC-V; unordered compares false.
template <bool kDouble, int kOp>
bool Translator::emit_fp_compare(const GuestInsn& g) {
  return emit_fp(g, FpWrites::None, FpRounding::None, [&](JumpTarget& slow) {
    const unsigned a = rs1(g.insn), b = rs2(g.insn);
    if (!kDouble) {
      check_boxed(a, slow);
      check_boxed(b, slow);
    }
    if (kOp == kFEq) {
      load_fp(kDouble, xmm0, a);
      if (kDouble) ucomisd(xmm0, fp_source(b, true));
      else ucomiss(xmm0, fp_source(b, false));
      sete(al);
      setnp(cl);
      and_(al, cl);
    } else {
      // b > a (flt) or b >= a (fle): false when unordered (CF set).
      load_fp(kDouble, xmm0, b);
      if (kDouble) comisd(xmm0, fp_source(a, true));
      else comiss(xmm0, fp_source(a, false));
      if (kOp == kFLt) seta(al);
      else setae(al);
    }
    movzx(eax, al);
    store_x(rd(g.insn), rax);
  });
}

template bool Translator::emit_fp_arith<true, kFAdd>(const GuestInsn&);
template bool Translator::emit_fp_arith<true, kFSub>(const GuestInsn&);
template bool Translator::emit_fp_arith<true, kFMul>(const GuestInsn&);
template bool Translator::emit_fp_arith<true, kFDiv>(const GuestInsn&);
template bool Translator::emit_fp_arith<false, kFAdd>(const GuestInsn&);
template bool Translator::emit_fp_arith<false, kFSub>(const GuestInsn&);
template bool Translator::emit_fp_arith<false, kFMul>(const GuestInsn&);
template bool Translator::emit_fp_arith<false, kFDiv>(const GuestInsn&);
template bool Translator::emit_fp_sqrt<true>(const GuestInsn&);
template bool Translator::emit_fp_sqrt<false>(const GuestInsn&);
template bool Translator::emit_fp_fused<true, kFMAdd>(const GuestInsn&);
template bool Translator::emit_fp_fused<true, kFMSub>(const GuestInsn&);
template bool Translator::emit_fp_fused<true, kFNMSub>(const GuestInsn&);
template bool Translator::emit_fp_fused<true, kFNMAdd>(const GuestInsn&);
template bool Translator::emit_fp_fused<false, kFMAdd>(const GuestInsn&);
template bool Translator::emit_fp_fused<false, kFMSub>(const GuestInsn&);
template bool Translator::emit_fp_fused<false, kFNMSub>(const GuestInsn&);
template bool Translator::emit_fp_fused<false, kFNMAdd>(const GuestInsn&);
template bool Translator::emit_fp_minmax<true, false>(const GuestInsn&);
template bool Translator::emit_fp_minmax<true, true>(const GuestInsn&);
template bool Translator::emit_fp_minmax<false, false>(const GuestInsn&);
template bool Translator::emit_fp_minmax<false, true>(const GuestInsn&);
template bool Translator::emit_fp_compare<true, kFEq>(const GuestInsn&);
template bool Translator::emit_fp_compare<true, kFLt>(const GuestInsn&);
template bool Translator::emit_fp_compare<true, kFLe>(const GuestInsn&);
template bool Translator::emit_fp_compare<false, kFEq>(const GuestInsn&);
template bool Translator::emit_fp_compare<false, kFLt>(const GuestInsn&);
template bool Translator::emit_fp_compare<false, kFLe>(const GuestInsn&);

}  // namespace vessel::jit
