// F and D instructions that move bits: loads and stores (the soft-TLB hit path inline, as for
// integer ones), moves between x and f registers, and sign injection (fmv, fneg and fabs
// are its spellings). None of them rounds or raises a flag.
#include "jit/alu_ops.h"
#include "jit/emit_fp_frame.h"

namespace vessel::jit {

using namespace Xbyak::util;
using namespace riscv::field;

template <bool kDouble>
bool Translator::emit_fp_load(const GuestInsn& g) {
  const FpWrites writes = kDouble ? FpWrites::Double : FpWrites::Single;
  return emit_fp(g, writes, FpRounding::None, [&](JumpTarget&) {
    const unsigned before = pending_, d = rd(g.insn);
    JumpTarget& miss = new_target();
    JumpTarget& loaded = new_target();
    load_address(rs1(g.insn), static_cast<int32_t>(imm_i(g.insn)));
    load_lookup(kDouble ? 8 : 4, miss);
    if (kDouble) mov(rax, qword[rsi + rdx]);
    else mov(eax, dword[rsi + rdx]);
    bind(loaded);
    fp_result_bits(d, kDouble);
    const uint64_t pc = g.pc;
    cold([this, &miss, &loaded, pc, before] {
      bind(miss);
      set_pc(pc);
      mov(rdi, rbx);
      call_preserving_cached(kDouble ? reinterpret_cast<const void*>(&slow_load<int64_t>)
                                     : reinterpret_cast<const void*>(&slow_load<uint32_t>));
      check_trap(before);
      jump(loaded);
    });
  });
}

template <bool kDouble>
bool Translator::emit_fp_store(const GuestInsn& g) {
  return emit_fp(g, FpWrites::None, FpRounding::None, [&](JumpTarget&) {
    const unsigned before = pending_;
    JumpTarget& miss = new_target();
    JumpTarget& stored = new_target();
    load_address(rs1(g.insn), static_cast<int32_t>(imm_s(g.insn)));
    // The raw register bits, boxed or not, as the spec requires.
    if (kDouble) mov(rdi, fq(rs2(g.insn)));
    else mov(edi, fd(rs2(g.insn)));
    tlb_lookup(kDouble ? 8 : 4, true, miss);
    if (kDouble) mov(qword[rsi + rdx], rdi);
    else mov(dword[rsi + rdx], edi);
    bind(stored);
    const uint64_t pc = g.pc;
    cold([this, &miss, &stored, pc, before] {
      bind(miss);
      set_pc(pc);
      mov(rdx, rdi);
      mov(rdi, rbx);
      call_preserving_cached(kDouble ? reinterpret_cast<const void*>(&slow_store<uint64_t>)
                                     : reinterpret_cast<const void*>(&slow_store<uint32_t>));
      check_trap(before);
      jump(stored);
    });
  });
}

// fmv.x.d, fmv.x.w (sign-extends the low word, boxed or not), fmv.d.x, fmv.w.x.
template <bool kDouble, bool kToInt>
bool Translator::emit_fp_move(const GuestInsn& g) {
  const FpWrites writes = kToInt ? FpWrites::None : kDouble ? FpWrites::Double : FpWrites::Single;
  return emit_fp(g, writes, FpRounding::None, [&](JumpTarget&) {
    const unsigned a = rs1(g.insn), d = rd(g.insn);
    if (kToInt) {
      if (kDouble) mov(rax, fq(a));
      else movsxd(rax, fd(a));
      store_x(d, rax);
    } else {
      load_x(rax, a);
      fp_result_bits(d, kDouble);
    }
  });
}

template <bool kDouble, int kOp>
bool Translator::emit_fp_sign(const GuestInsn& g) {
  const FpWrites writes = kDouble ? FpWrites::Double : FpWrites::Single;
  return emit_fp(g, writes, FpRounding::None, [&](JumpTarget& slow) {
    const unsigned a = rs1(g.insn), b = rs2(g.insn), d = rd(g.insn);
    const int sign = kDouble ? 63 : 31;
    const Xbyak::Reg& value = kDouble ? static_cast<const Xbyak::Reg&>(rax) : eax;
    const Xbyak::Reg& other = kDouble ? static_cast<const Xbyak::Reg&>(rcx) : ecx;
    if (!kDouble) {
      check_boxed(a, slow);
      check_boxed(b, slow);
    }
    mov(value, kDouble ? fq(a) : fd(a));
    if (!(kOp == kFSgnj && a == b)) {  // fsgnj rd, rs, rs is fmv: a copy
      mov(other, kDouble ? fq(b) : fd(b));
      if (kOp == kFSgnjn) not_(other);
      shr(other, sign);
      shl(other, sign);
      if (kOp == kFSgnjx) {
        xor_(value, other);
      } else {
        btr(value, sign);
        or_(value, other);
      }
    }
    fp_result_bits(d, kDouble);
  });
}

template bool Translator::emit_fp_load<true>(const GuestInsn&);
template bool Translator::emit_fp_load<false>(const GuestInsn&);
template bool Translator::emit_fp_store<true>(const GuestInsn&);
template bool Translator::emit_fp_store<false>(const GuestInsn&);
template bool Translator::emit_fp_move<true, true>(const GuestInsn&);
template bool Translator::emit_fp_move<true, false>(const GuestInsn&);
template bool Translator::emit_fp_move<false, true>(const GuestInsn&);
template bool Translator::emit_fp_move<false, false>(const GuestInsn&);
template bool Translator::emit_fp_sign<true, kFSgnj>(const GuestInsn&);
template bool Translator::emit_fp_sign<true, kFSgnjn>(const GuestInsn&);
template bool Translator::emit_fp_sign<true, kFSgnjx>(const GuestInsn&);
template bool Translator::emit_fp_sign<false, kFSgnj>(const GuestInsn&);
template bool Translator::emit_fp_sign<false, kFSgnjn>(const GuestInsn&);
template bool Translator::emit_fp_sign<false, kFSgnjx>(const GuestInsn&);

}  // namespace vessel::jit
