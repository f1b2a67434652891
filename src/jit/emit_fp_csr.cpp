// fflags, frm and fcsr accessed in translated code. Compilers bracket quiet comparisons
// with them (frflags; flt.d; fsflags around every sqrt's domain check, isless() and the
// like), so a call to the CSR handler there would cost more than the arithmetic.
#include <cstddef>

#include "cpu/riscv/csr_numbers.h"
#include "jit/alu_ops.h"
#include "jit/emit_fp_frame.h"
#include "jit/jit_state.h"

namespace vessel::jit {

using namespace Xbyak::util;
using namespace riscv::field;

// The guest's flags are hart.fflags | P, P being the flags MXCSR holds (host_fp_flags.h).
// Reading MXCSR is cheap; clearing it (LDMXCSR after STMXCSR) stalls for dozens of cycles,
// so a write leaves P in MXCSR when the new value keeps those flags (the frflags/fsflags
// idiom restores a value read with them) and clears MXCSR only when the write drops some.
template <int kOp, bool kImmediate>
bool Translator::emit_fcsr_access(const GuestInsn& g) {
  const unsigned number = csr(g.insn), source = rs1(g.insn);
  if (number < 1 || number > 3) return emit_fallback(g);
  const bool writes = kOp == kCsrWrite || source != 0;
  return emit_fp(g, writes ? FpWrites::Fcsr : FpWrites::None, FpRounding::None, [&](JumpTarget&) {
    const auto mxcsr = dword[rbp + static_cast<int32_t>(offsetof(JitState, mxcsr))];
    if (number != 2) {  // esi <- P
      stmxcsr(mxcsr);
      mov(esi, mxcsr);
      and_(esi, 0x3f);
      movzx(esi, byte[rbp + rsi + static_cast<int32_t>(offsetof(JitState, fflags_of_mxcsr))]);
    }
    // edx <- the old value
    if (number == 2) {
      movzx(edx, byte[rbx + layout_.frm]);
    } else {
      movzx(edx, byte[rbx + layout_.fflags]);
      or_(edx, esi);
      if (number == 3) {
        movzx(eax, byte[rbx + layout_.frm]);
        shl(eax, 5);
        or_(edx, eax);
      }
    }
    if (writes) {
      // ecx <- the new value
      if (kImmediate) mov(ecx, source);
      else load_x(rcx, source);
      if (kOp == kCsrSet) {
        or_(ecx, edx);
      } else if (kOp == kCsrClear) {
        not_(ecx);
        and_(ecx, edx);
      }
      if (number == 2) {
        and_(ecx, 7);
        mov(byte[rbx + layout_.frm], cl);
      } else {
        mov(eax, ecx);
        and_(eax, 0x1f);
        mov(byte[rbx + layout_.fflags], al);
        if (number == 3) {
          shr(ecx, 5);
          and_(ecx, 7);
          mov(byte[rbx + layout_.frm], cl);
        }
        // Flags MXCSR holds that the new value drops: clear MXCSR (out of line, rare).
        JumpTarget& clear = new_target();
        JumpTarget& cleared = new_target();
        not_(eax);
        test(esi, eax);
        jump(clear, Cond::NE);
        bind(cleared);
        cold([this, &clear, &cleared] {
          bind(clear);
          const auto mxcsr = dword[rbp + static_cast<int32_t>(offsetof(JitState, mxcsr))];
          and_(mxcsr, ~0x3f);
          ldmxcsr(mxcsr);
          jump(cleared);
        });
      }
    }
    store_x(rd(g.insn), rdx);
  });
}

template bool Translator::emit_fcsr_access<kCsrWrite, false>(const GuestInsn&);
template bool Translator::emit_fcsr_access<kCsrSet, false>(const GuestInsn&);
template bool Translator::emit_fcsr_access<kCsrClear, false>(const GuestInsn&);
template bool Translator::emit_fcsr_access<kCsrWrite, true>(const GuestInsn&);
template bool Translator::emit_fcsr_access<kCsrSet, true>(const GuestInsn&);
template bool Translator::emit_fcsr_access<kCsrClear, true>(const GuestInsn&);

}  // namespace vessel::jit
