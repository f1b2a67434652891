// Translator::emit_fp, the frame every native F and D translation shares (emit_fp_*.cpp):
// mstatus.FS checked once per block (Off makes the instruction illegal), the dynamic rounding
// mode checked where the host needs round-to-nearest, and an out-of-line path that runs the
// interpreter's handler, the reference soft-float, wherever the host could answer
// differently (a NaN result, another rounding mode, an unboxed single, an out-of-range
// conversion). The fast path's accrued exceptions stay in MXCSR (host_fp_flags.h).
#pragma once
#include "cpu/riscv/csr_numbers.h"
#include "cpu/riscv/insn_fields.h"
#include "jit/slow_paths.h"
#include "jit/translator.h"

namespace vessel::jit {

template <typename Body>
bool Translator::emit_fp(const GuestInsn& g, FpWrites writes, FpRounding rounding, Body body) {
  if (!native_rounding(g.insn, rounding)) return emit_fallback(g);
  const unsigned before = pending_;
  JumpTarget& slow = new_target();
  if (!(fp_state_ & kFsChecked)) {
    test(dword[rbx + layout_.mstatus], static_cast<uint32_t>(riscv::mstatus::kFS));
    jump(slow, Cond::E);
    fp_state_ |= kFsChecked;
  }
  if (rounding != FpRounding::None && riscv::field::funct3(g.insn) == 7) {
    cmp(byte[rbx + layout_.frm], rounding == FpRounding::Exact ? 4 : 0);
    jump(slow, rounding == FpRounding::Exact ? Cond::A : Cond::NE);
  }
  body(slow);
  JumpTarget& done = new_target();
  bind(done);
  const unsigned d = riscv::field::rd(g.insn);
  if (writes != FpWrites::None) {
    if (!(fp_state_ & kFsDirty)) {
      or_(dword[rbx + layout_.mstatus], static_cast<uint32_t>(riscv::mstatus::kFS));
      fp_state_ |= kFsDirty;
    }
    // Both paths leave a single's result NaN-boxed.
    if (writes == FpWrites::Single) boxed_ |= 1u << d;
    else if (writes == FpWrites::Double) boxed_ &= ~(1u << d);
  }
  const GuestInsn* insn = &g;
  cold([this, &slow, &done, insn, before] {
    bind(slow);
    call_interpreter(*insn, reinterpret_cast<const void*>(&call_handler));
    check_trap(before);
    jump(done);
  });
  ++pending_;
  return true;
}

}  // namespace vessel::jit
