// RV64I register/immediate arithmetic and the M extension.
#include "cpu/riscv/insn_fields.h"
#include "jit/alu_ops.h"
#include "jit/translator.h"

namespace vessel::jit {

using namespace Xbyak::util;
using namespace riscv::field;

template <typename Compute>
bool Translator::emit_to_rd(const GuestInsn& g, unsigned sources, Compute compute) {
  ++pending_;
  const unsigned d = rd(g.insn);
  if (!d) return true;
  if (sources > 0) load_x(rax, rs1(g.insn));
  if (sources > 1) load_x(rcx, rs2(g.insn));
  compute();
  store_x(d, rax);
  return true;
}

bool Translator::emit_lui(const GuestInsn& g) {
  return emit_to_rd(g, 0, [&] { mov(rax, imm_u(g.insn)); });
}

bool Translator::emit_auipc(const GuestInsn& g) {
  return emit_to_rd(g, 0, [&] { mov(rax, g.pc + imm_u(g.insn)); });
}

template <int kOp>
bool Translator::emit_alu_imm(const GuestInsn& g) {
  const auto imm = static_cast<int32_t>(imm_i(g.insn));
  const int shamt = (g.insn >> 20) & 63;
  return emit_to_rd(g, 1, [&] {
    switch (kOp) {
      case kAdd: if (imm) add(rax, imm); break;
      case kAnd: and_(rax, imm); break;
      case kOr: if (imm) or_(rax, imm); break;
      case kXor: if (imm) xor_(rax, imm); break;
      case kSll: if (shamt) shl(rax, shamt); break;
      case kSrl: if (shamt) shr(rax, shamt); break;
      case kSra: if (shamt) sar(rax, shamt); break;
      case kSlt:
      case kSltu:
        xor_(ecx, ecx);
        cmp(rax, imm);
        if (kOp == kSlt) setl(cl); else setb(cl);
        mov(rax, rcx);
        break;
    }
  });
}

template <int kOp>
bool Translator::emit_alu_reg(const GuestInsn& g) {
  return emit_to_rd(g, 2, [&] {
    switch (kOp) {
      case kAdd: add(rax, rcx); break;
      case kSub: sub(rax, rcx); break;
      case kAnd: and_(rax, rcx); break;
      case kOr: or_(rax, rcx); break;
      case kXor: xor_(rax, rcx); break;
      case kSll: shl(rax, cl); break;  // x86 masks 64-bit shift counts to 6 bits, as RISC-V does
      case kSrl: shr(rax, cl); break;
      case kSra: sar(rax, cl); break;
      case kSlt:
      case kSltu:
        xor_(edx, edx);
        cmp(rax, rcx);
        if (kOp == kSlt) setl(dl); else setb(dl);
        mov(rax, rdx);
        break;
    }
  });
}

template <int kOp>
bool Translator::emit_alu_imm_w(const GuestInsn& g) {
  const auto imm = static_cast<int32_t>(imm_i(g.insn));
  const int shamt = (g.insn >> 20) & 31;
  return emit_to_rd(g, 1, [&] {
    switch (kOp) {
      case kAdd: add(eax, imm); break;
      case kSll: shl(eax, shamt); break;
      case kSrl: shr(eax, shamt); break;
      case kSra: sar(eax, shamt); break;
    }
    movsxd(rax, eax);
  });
}

template <int kOp>
bool Translator::emit_alu_reg_w(const GuestInsn& g) {
  return emit_to_rd(g, 2, [&] {
    switch (kOp) {
      case kAdd: add(eax, ecx); break;
      case kSub: sub(eax, ecx); break;
      case kSll: shl(eax, cl); break;  // 32-bit shifts mask the count to 5 bits, as RISC-V's *W forms
      case kSrl: shr(eax, cl); break;
      case kSra: sar(eax, cl); break;
    }
    movsxd(rax, eax);
  });
}

template <int kOp>
bool Translator::emit_mul(const GuestInsn& g) {
  return emit_to_rd(g, 2, [&] {
    switch (kOp) {
      case kMul: imul(rax, rcx); break;
      case kMulw: imul(eax, ecx); movsxd(rax, eax); break;
      case kMulh: imul(rcx); mov(rax, rdx); break;
      case kMulhu: mul(rcx); mov(rax, rdx); break;
    }
  });
}

// Division with RISC-V's defined results instead of x86's #DE: x/0 = all ones (remainder:
// the dividend), MIN/-1 = MIN (remainder 0).
template <bool kSigned, bool kRem, bool kWord>
bool Translator::emit_div(const GuestInsn& g) {
  return emit_to_rd(g, 2, [&] {
    Xbyak::Label& done = new_label();
    Xbyak::Label& by_zero = new_label();
    if (kWord) test(ecx, ecx); else test(rcx, rcx);
    jz(by_zero, T_NEAR);
    if (kSigned) {
      Xbyak::Label& normal = new_label();
      if (kWord) cmp(ecx, -1); else cmp(rcx, -1);
      jne(normal);
      // Divisor -1: quotient is the negation (MIN stays MIN), remainder 0.
      if (kRem) xor_(eax, eax);
      else if (kWord) neg(eax);
      else neg(rax);
      jmp(done, T_NEAR);
      L(normal);
      if (kWord) { cdq(); idiv(ecx); } else { cqo(); idiv(rcx); }
    } else {
      xor_(edx, edx);
      if (kWord) div(ecx); else div(rcx);
    }
    if (kRem) mov(rax, rdx);
    jmp(done, T_NEAR);
    L(by_zero);
    if (!kRem) mov(rax, -1);  // remainder by zero: the dividend, already in rax
    L(done);
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
