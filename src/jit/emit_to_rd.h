// Translator::emit_to_rd, the common shape of register-writing emitters (rd <- f(rs1, rs2)),
// for the files that emit them (emit_integer.cpp, emit_bitmanip.cpp).
#pragma once
#include <optional>
#include <utility>

#include "cpu/riscv/insn_fields.h"
#include "jit/translator.h"

namespace vessel::jit {

template <typename Compute>
bool Translator::emit_to_rd(const GuestInsn& g, Sources sources, Compute compute, bool commutative) {
  ++pending_;
  const unsigned d = riscv::field::rd(g.insn);
  unsigned r1 = riscv::field::rs1(g.insn), r2 = riscv::field::rs2(g.insn);
  if (!d) return true;
  if (commutative && sources == Sources::Rs1Rs2 && r2 == d && r1 != d && cached(d)) std::swap(r1, r2);
  // Compute in rd's host register when it has one (x86's two-operand form), else in rax.
  const Xbyak::Reg64* home = cached(d);
  const Xbyak::Reg64& dst = home && sources != Sources::InRax ? *home : rax;
  const bool two = sources == Sources::Rs1Rs2 || sources == Sources::Rs1Rs2InRcx || sources == Sources::InRax;
  std::optional<Xbyak::Address> in_memory;
  const Xbyak::Operand* second = &rcx;
  if (two) {
    // The second source must survive dst being loaded with the first.
    const bool clobbered = r2 == d && &dst == home && r1 != d;
    if (sources == Sources::Rs1Rs2 && r2 != 0 && !clobbered) {
      if (const Xbyak::Reg64* host = cached(r2)) second = host;
      else second = &in_memory.emplace(xreg(r2));
    } else {
      load_x(rcx, r2);
    }
  }
  if (sources != Sources::None && !(&dst == home && r1 == d)) load_x(dst, r1);
  compute(dst, *second);
  if (&dst == &rax) store_x(d, rax);
  return true;
}

}  // namespace vessel::jit
