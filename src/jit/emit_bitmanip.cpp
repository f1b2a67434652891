// Zba, Zbb, Zbs and Zicond: the common ones translated natively (compilers for RVA22 and
// later emit them everywhere: address arithmetic, min/max, byte swaps, bit counts). The
// bit counts use the host's LZCNT, TZCNT (BMI1) and POPCNT when it has them; without
// them the emitter table leaves clz/ctz/cpop to the interpreter's handlers.
#include "cpu/riscv/insn_fields.h"
#include "jit/alu_ops.h"
#include "jit/emit_to_rd.h"
#include "jit/translator.h"

namespace vessel::jit {

using namespace Xbyak::util;
using namespace riscv::field;
using R64 = Xbyak::Reg64;
using Operand = Xbyak::Operand;

namespace {
Xbyak::Reg32 low32(const R64& r) { return r.cvt32(); }
}  // namespace

// rd = rs2 + (rs1 << k): one LEA (rs2 in rcx, so that it cannot be rd's register when rd,
// rs1 and rs2 are one register).
template <unsigned kShift, bool kUw>
bool Translator::emit_shadd(const GuestInsn& g) {
  return emit_to_rd(g, Sources::Rs1Rs2InRcx, [&](const R64& dst, const Operand&) {
    if (kUw) mov(low32(dst), low32(dst));  // zero-extends the low word
    lea(dst, ptr[rcx + dst * (1 << kShift)]);
  });
}

bool Translator::emit_slli_uw(const GuestInsn& g) {
  const int shamt = (g.insn >> 20) & 63;
  return emit_to_rd(g, Sources::Rs1, [&](const R64& dst, const Operand&) {
    mov(low32(dst), low32(dst));
    if (shamt) shl(dst, shamt);
  });
}

template <int kOp>
bool Translator::emit_logic_not(const GuestInsn& g) {
  return emit_to_rd(g, Sources::Rs1Rs2InRcx, [&](const R64& dst, const Operand&) {
    switch (kOp) {
      case kAndn: not_(rcx); and_(dst, rcx); break;
      case kOrn: not_(rcx); or_(dst, rcx); break;
      case kXnor: xor_(dst, rcx); not_(dst); break;
    }
  });
}

template <int kOp>
bool Translator::emit_minmax(const GuestInsn& g) {
  return emit_to_rd(g, Sources::Rs1Rs2InRcx, [&](const R64& dst, const Operand&) {
    cmp(dst, rcx);
    switch (kOp) {
      case kMin: cmovg(dst, rcx); break;
      case kMinu: cmova(dst, rcx); break;
      case kMax: cmovl(dst, rcx); break;
      case kMaxu: cmovb(dst, rcx); break;
    }
  });
}

template <int kOp>
bool Translator::emit_unary(const GuestInsn& g) {
  return emit_to_rd(g, Sources::Rs1, [&](const R64& dst, const Operand&) {
    switch (kOp) {
      case kClz: lzcnt(dst, dst); break;
      case kCtz: tzcnt(dst, dst); break;
      case kCpop: popcnt(dst, dst); break;
      case kClzw: lzcnt(low32(dst), low32(dst)); break;  // 32-bit results zero-extend
      case kCtzw: tzcnt(low32(dst), low32(dst)); break;
      case kCpopw: popcnt(low32(dst), low32(dst)); break;
      case kRev8: bswap(dst); break;
      case kSextB: movsx(dst, dst.cvt8()); break;
      case kSextH: movsx(dst, dst.cvt16()); break;
      case kZextH: movzx(low32(dst), dst.cvt16()); break;
    }
  });
}

template <int kOp>
bool Translator::emit_rotate(const GuestInsn& g) {
  constexpr bool kImm = kOp == kRori || kOp == kRoriw;
  constexpr bool kWord = kOp == kRolw || kOp == kRorw || kOp == kRoriw;
  const int amount = (g.insn >> 20) & (kWord ? 31 : 63);
  return emit_to_rd(g, kImm ? Sources::Rs1 : Sources::Rs1Rs2InRcx, [&](const R64& dst, const Operand&) {
    // x86 masks rotate counts to 6 bits (5 for 32-bit operands), as RISC-V does.
    switch (kOp) {
      case kRol: rol(dst, cl); break;
      case kRor: ror(dst, cl); break;
      case kRori: if (amount) ror(dst, amount); break;
      case kRolw: rol(low32(dst), cl); break;
      case kRorw: ror(low32(dst), cl); break;
      case kRoriw: if (amount) ror(low32(dst), amount); break;
    }
    if (kWord) movsxd(dst, low32(dst));
  });
}

template <int kOp>
bool Translator::emit_single_bit(const GuestInsn& g) {
  constexpr bool kImm = kOp == kBclri || kOp == kBexti || kOp == kBinvi || kOp == kBseti;
  const int index = (g.insn >> 20) & 63;
  return emit_to_rd(g, kImm ? Sources::Rs1 : Sources::Rs1Rs2InRcx, [&](const R64& dst, const Operand&) {
    // BTS/BTR/BTC with a register bit offset on a register take it modulo 64.
    switch (kOp) {
      case kBclr: btr(dst, rcx); break;
      case kBinv: btc(dst, rcx); break;
      case kBset: bts(dst, rcx); break;
      case kBext: shr(dst, cl); and_(low32(dst), 1); break;
      case kBclri: btr(dst, index); break;
      case kBinvi: btc(dst, index); break;
      case kBseti: bts(dst, index); break;
      case kBexti: if (index) shr(dst, index); and_(low32(dst), 1); break;
    }
  });
}

template <bool kZeroIfNonzero>
bool Translator::emit_czero(const GuestInsn& g) {
  return emit_to_rd(g, Sources::Rs1Rs2InRcx, [&](const R64& dst, const Operand&) {
    xor_(edx, edx);
    test(rcx, rcx);
    if (kZeroIfNonzero) cmovnz(dst, rdx);
    else cmovz(dst, rdx);
  });
}

template bool Translator::emit_shadd<0, true>(const GuestInsn&);
template bool Translator::emit_shadd<1, false>(const GuestInsn&);
template bool Translator::emit_shadd<2, false>(const GuestInsn&);
template bool Translator::emit_shadd<3, false>(const GuestInsn&);
template bool Translator::emit_shadd<1, true>(const GuestInsn&);
template bool Translator::emit_shadd<2, true>(const GuestInsn&);
template bool Translator::emit_shadd<3, true>(const GuestInsn&);
template bool Translator::emit_logic_not<kAndn>(const GuestInsn&);
template bool Translator::emit_logic_not<kOrn>(const GuestInsn&);
template bool Translator::emit_logic_not<kXnor>(const GuestInsn&);
template bool Translator::emit_minmax<kMin>(const GuestInsn&);
template bool Translator::emit_minmax<kMinu>(const GuestInsn&);
template bool Translator::emit_minmax<kMax>(const GuestInsn&);
template bool Translator::emit_minmax<kMaxu>(const GuestInsn&);
template bool Translator::emit_unary<kClz>(const GuestInsn&);
template bool Translator::emit_unary<kCtz>(const GuestInsn&);
template bool Translator::emit_unary<kCpop>(const GuestInsn&);
template bool Translator::emit_unary<kClzw>(const GuestInsn&);
template bool Translator::emit_unary<kCtzw>(const GuestInsn&);
template bool Translator::emit_unary<kCpopw>(const GuestInsn&);
template bool Translator::emit_unary<kRev8>(const GuestInsn&);
template bool Translator::emit_unary<kSextB>(const GuestInsn&);
template bool Translator::emit_unary<kSextH>(const GuestInsn&);
template bool Translator::emit_unary<kZextH>(const GuestInsn&);
template bool Translator::emit_rotate<kRol>(const GuestInsn&);
template bool Translator::emit_rotate<kRor>(const GuestInsn&);
template bool Translator::emit_rotate<kRori>(const GuestInsn&);
template bool Translator::emit_rotate<kRolw>(const GuestInsn&);
template bool Translator::emit_rotate<kRorw>(const GuestInsn&);
template bool Translator::emit_rotate<kRoriw>(const GuestInsn&);
template bool Translator::emit_single_bit<kBclr>(const GuestInsn&);
template bool Translator::emit_single_bit<kBinv>(const GuestInsn&);
template bool Translator::emit_single_bit<kBset>(const GuestInsn&);
template bool Translator::emit_single_bit<kBext>(const GuestInsn&);
template bool Translator::emit_single_bit<kBclri>(const GuestInsn&);
template bool Translator::emit_single_bit<kBinvi>(const GuestInsn&);
template bool Translator::emit_single_bit<kBseti>(const GuestInsn&);
template bool Translator::emit_single_bit<kBexti>(const GuestInsn&);
template bool Translator::emit_czero<false>(const GuestInsn&);
template bool Translator::emit_czero<true>(const GuestInsn&);

}  // namespace vessel::jit
