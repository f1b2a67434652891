// RV64I register/immediate arithmetic and the M extension.
#include "cpu/riscv/insn_fields.h"
#include "jit/alu_ops.h"
#include "jit/emit_to_rd.h"
#include "jit/translator.h"

namespace vessel::jit {

using namespace Xbyak::util;
using namespace riscv::field;

bool Translator::emit_move(const GuestInsn& g, unsigned src) {
  ++pending_;
  const unsigned d = rd(g.insn);
  if (!d || d == src) return true;
  if (const Xbyak::Reg64* home = cached(d)) load_x(*home, src);
  else if (const Xbyak::Reg64* from = cached(src)) mov(xreg(d), *from);
  else {
    load_x(rax, src);
    mov(xreg(d), rax);
  }
  return true;
}

bool Translator::emit_lui(const GuestInsn& g) {
  return emit_to_rd(g, Sources::None, [&](const Xbyak::Reg64& dst, const Xbyak::Operand&) { mov(dst, imm_u(g.insn)); });
}

bool Translator::emit_auipc(const GuestInsn& g) {
  return emit_to_rd(g, Sources::None,
                    [&](const Xbyak::Reg64& dst, const Xbyak::Operand&) { mov(dst, g.pc + imm_u(g.insn)); });
}

template <int kOp>
bool Translator::emit_alu_imm(const GuestInsn& g) {
  const auto imm = static_cast<int32_t>(imm_i(g.insn));
  const int shamt = (g.insn >> 20) & 63;
  if (kOp == kAdd && imm == 0) return emit_move(g, rs1(g.insn));  // mv
  return emit_to_rd(g, Sources::Rs1, [&](const Xbyak::Reg64& dst, const Xbyak::Operand&) {
    switch (kOp) {
      case kAdd: if (imm) add(dst, imm); break;
      case kAnd: and_(dst, imm); break;
      case kOr: if (imm) or_(dst, imm); break;
      case kXor: if (imm) xor_(dst, imm); break;
      case kSll: if (shamt) shl(dst, shamt); break;
      case kSrl: if (shamt) shr(dst, shamt); break;
      case kSra: if (shamt) sar(dst, shamt); break;
      case kSlt:
      case kSltu:
        xor_(ecx, ecx);
        cmp(dst, imm);
        if (kOp == kSlt) setl(cl); else setb(cl);
        mov(dst, rcx);
        break;
    }
  });
}

template <int kOp>
bool Translator::emit_alu_reg(const GuestInsn& g) {
  // Shifts need the count in cl; the others take the second source from anywhere.
  constexpr bool kShift = kOp == kSll || kOp == kSrl || kOp == kSra;
  if ((kOp == kAdd || kOp == kOr || kOp == kXor) && rs1(g.insn) == 0) return emit_move(g, rs2(g.insn));  // c.mv
  return emit_to_rd(g, kShift ? Sources::Rs1Rs2InRcx : Sources::Rs1Rs2,
                    [&](const Xbyak::Reg64& dst, const Xbyak::Operand& src) {
    switch (kOp) {
      case kAdd: add(dst, src); break;
      case kSub: sub(dst, src); break;
      case kAnd: and_(dst, src); break;
      case kOr: or_(dst, src); break;
      case kXor: xor_(dst, src); break;
      case kSll: shl(dst, cl); break;  // x86 masks 64-bit shift counts to 6 bits, as RISC-V does
      case kSrl: shr(dst, cl); break;
      case kSra: sar(dst, cl); break;
      case kSlt:
      case kSltu:
        xor_(edx, edx);
        cmp(dst, src);
        if (kOp == kSlt) setl(dl); else setb(dl);
        mov(dst, rdx);
        break;
    }
  }, kOp == kAdd || kOp == kAnd || kOp == kOr || kOp == kXor);
}

template <int kOp>
bool Translator::emit_alu_imm_w(const GuestInsn& g) {
  const auto imm = static_cast<int32_t>(imm_i(g.insn));
  const int shamt = (g.insn >> 20) & 31;
  return emit_to_rd(g, Sources::Rs1, [&](const Xbyak::Reg64& dst, const Xbyak::Operand&) {
    const Xbyak::Reg32 low = dst.cvt32();
    switch (kOp) {
      case kAdd: if (imm) add(low, imm); break;
      case kSll: shl(low, shamt); break;
      case kSrl: shr(low, shamt); break;
      case kSra: sar(low, shamt); break;
    }
    movsxd(dst, low);
  });
}

template <int kOp>
bool Translator::emit_alu_reg_w(const GuestInsn& g) {
  constexpr bool kShift = kOp == kSll || kOp == kSrl || kOp == kSra;
  return emit_to_rd(g, kShift ? Sources::Rs1Rs2InRcx : Sources::Rs1Rs2,
                    [&](const Xbyak::Reg64& dst, const Xbyak::Operand& src) {
    const Xbyak::Reg32 low = dst.cvt32();
    switch (kOp) {
      // The second source's low half: its 32-bit register, or the same memory as a dword.
      case kAdd:
        if (src.isREG()) add(low, src.getReg().cvt32());
        else add(low, dword[static_cast<const Xbyak::Address&>(src).getRegExp()]);
        break;
      case kSub:
        if (src.isREG()) sub(low, src.getReg().cvt32());
        else sub(low, dword[static_cast<const Xbyak::Address&>(src).getRegExp()]);
        break;
      case kSll: shl(low, cl); break;  // 32-bit shifts mask the count to 5 bits, as RISC-V's *W forms
      case kSrl: shr(low, cl); break;
      case kSra: sar(low, cl); break;
    }
    movsxd(dst, low);
  }, kOp == kAdd);
}

template <int kOp>
bool Translator::emit_mul(const GuestInsn& g) {
  // The high halves come out in rdx:rax.
  constexpr bool kHigh = kOp == kMulh || kOp == kMulhu;
  return emit_to_rd(g, kHigh ? Sources::InRax : Sources::Rs1Rs2,
                    [&](const Xbyak::Reg64& dst, const Xbyak::Operand& src) {
    switch (kOp) {
      case kMul: imul(dst, src); break;
      case kMulw:
        // The second source's low half: its 32-bit register, or the same memory as a dword.
        if (src.isREG()) imul(dst.cvt32(), src.getReg().cvt32());
        else imul(dst.cvt32(), dword[static_cast<const Xbyak::Address&>(src).getRegExp()]);
        movsxd(dst, dst.cvt32());
        break;
      case kMulh: imul(rcx); mov(rax, rdx); break;
      case kMulhu: mul(rcx); mov(rax, rdx); break;
    }
  }, !kHigh);
}

// Division with RISC-V's defined results instead of x86's #DE: x/0 = all ones (remainder:
// the dividend), MIN/-1 = MIN (remainder 0).
template <bool kSigned, bool kRem, bool kWord>
bool Translator::emit_div(const GuestInsn& g) {
  return emit_to_rd(g, Sources::InRax, [&](const Xbyak::Reg64&, const Xbyak::Operand&) {
    JumpTarget& done = new_target();
    JumpTarget& by_zero = new_target();
    if (kWord) test(ecx, ecx); else test(rcx, rcx);
    jump(by_zero, Cond::E);
    if (kSigned) {
      JumpTarget& normal = new_target();
      if (kWord) cmp(ecx, -1); else cmp(rcx, -1);
      jump(normal, Cond::NE);
      // Divisor -1: quotient is the negation (MIN stays MIN), remainder 0.
      if (kRem) xor_(eax, eax);
      else if (kWord) neg(eax);
      else neg(rax);
      jump(done);
      bind(normal);
      if (kWord) { cdq(); idiv(ecx); } else { cqo(); idiv(rcx); }
    } else {
      xor_(edx, edx);
      if (kWord) div(ecx); else div(rcx);
    }
    if (kRem) mov(rax, rdx);
    jump(done);
    bind(by_zero);
    if (!kRem) mov(rax, -1);  // remainder by zero: the dividend, already in rax
    bind(done);
    if (kWord) movsxd(rax, eax);
  });
}

template bool Translator::emit_alu_imm<kAdd>(const GuestInsn&);
template bool Translator::emit_alu_imm<kAnd>(const GuestInsn&);
template bool Translator::emit_alu_imm<kOr>(const GuestInsn&);
template bool Translator::emit_alu_imm<kXor>(const GuestInsn&);
template bool Translator::emit_alu_imm<kSll>(const GuestInsn&);
template bool Translator::emit_alu_imm<kSrl>(const GuestInsn&);
template bool Translator::emit_alu_imm<kSra>(const GuestInsn&);
template bool Translator::emit_alu_imm<kSlt>(const GuestInsn&);
template bool Translator::emit_alu_imm<kSltu>(const GuestInsn&);
template bool Translator::emit_alu_reg<kAdd>(const GuestInsn&);
template bool Translator::emit_alu_reg<kSub>(const GuestInsn&);
template bool Translator::emit_alu_reg<kAnd>(const GuestInsn&);
template bool Translator::emit_alu_reg<kOr>(const GuestInsn&);
template bool Translator::emit_alu_reg<kXor>(const GuestInsn&);
template bool Translator::emit_alu_reg<kSll>(const GuestInsn&);
template bool Translator::emit_alu_reg<kSrl>(const GuestInsn&);
template bool Translator::emit_alu_reg<kSra>(const GuestInsn&);
template bool Translator::emit_alu_reg<kSlt>(const GuestInsn&);
template bool Translator::emit_alu_reg<kSltu>(const GuestInsn&);
template bool Translator::emit_alu_imm_w<kAdd>(const GuestInsn&);
template bool Translator::emit_alu_imm_w<kSll>(const GuestInsn&);
template bool Translator::emit_alu_imm_w<kSrl>(const GuestInsn&);
template bool Translator::emit_alu_imm_w<kSra>(const GuestInsn&);
template bool Translator::emit_alu_reg_w<kAdd>(const GuestInsn&);
template bool Translator::emit_alu_reg_w<kSub>(const GuestInsn&);
template bool Translator::emit_alu_reg_w<kSll>(const GuestInsn&);
template bool Translator::emit_alu_reg_w<kSrl>(const GuestInsn&);
template bool Translator::emit_alu_reg_w<kSra>(const GuestInsn&);
template bool Translator::emit_mul<kMul>(const GuestInsn&);
template bool Translator::emit_mul<kMulh>(const GuestInsn&);
template bool Translator::emit_mul<kMulhu>(const GuestInsn&);
template bool Translator::emit_mul<kMulw>(const GuestInsn&);
template bool Translator::emit_div<true, false, false>(const GuestInsn&);
template bool Translator::emit_div<false, false, false>(const GuestInsn&);
template bool Translator::emit_div<true, true, false>(const GuestInsn&);
template bool Translator::emit_div<false, true, false>(const GuestInsn&);
template bool Translator::emit_div<true, false, true>(const GuestInsn&);
template bool Translator::emit_div<false, false, true>(const GuestInsn&);
template bool Translator::emit_div<true, true, true>(const GuestInsn&);
template bool Translator::emit_div<false, true, true>(const GuestInsn&);

}  // namespace vessel::jit
