// Jumps and branches end a block; FENCE orders memory.
#include "cpu/riscv/insn_fields.h"
#include "jit/alu_ops.h"
#include "jit/translator.h"

namespace vessel::jit {

using namespace Xbyak::util;
using namespace riscv::field;

bool Translator::emit_jal(const GuestInsn& g) {
  if (rd(g.insn)) {
    mov(rax, g.pc + g.len);
    store_x(rd(g.insn), rax);
  }
  if (g.follow) {  // the block goes on at the target
    ++pending_;
    return true;
  }
  exit_to(g.pc + imm_j(g.insn), pending_ + 1);
  return false;
}

bool Translator::emit_jalr(const GuestInsn& g) {
  load_x(rax, rs1(g.insn));
  if (const auto imm = static_cast<int32_t>(imm_i(g.insn))) add(rax, imm);
  and_(rax, -2);
  if (rd(g.insn)) {
    mov(rcx, g.pc + g.len);
    store_x(rd(g.insn), rcx);
  }
  write_back();
  add_instret(pending_ + 1);
  jump_through_cache();
  return false;
}

template <int kCond>
bool Translator::emit_branch(const GuestInsn& g) {
  JumpTarget& taken = new_target();
  // The first source straight from its host register when it has one.
  const Xbyak::Reg64* first = rs1(g.insn) ? cached(rs1(g.insn)) : nullptr;
  if (!first) {
    load_x(rax, rs1(g.insn));
    first = &rax;
  }
  if (const Xbyak::Reg64* host = rs2(g.insn) ? cached(rs2(g.insn)) : nullptr) cmp(*first, *host);
  else if (rs2(g.insn)) cmp(*first, xreg(rs2(g.insn)));
  else test(*first, *first);
  switch (kCond) {
    case kBeq: jump(taken, Cond::E); break;
    case kBne: jump(taken, Cond::NE); break;
    case kBlt: jump(taken, Cond::L); break;
    case kBge: jump(taken, Cond::GE); break;
    case kBltu: jump(taken, Cond::B); break;
    case kBgeu: jump(taken, Cond::AE); break;
  }
  // Taken: a side exit out of line. Not taken: the block goes on (or, if the branch ends
  // it, translate() leaves towards the next instruction).
  const unsigned completed = pending_ + 1;
  const uint64_t target = g.pc + imm_b(g.insn);
  cold([this, &taken, target, completed] {
    bind(taken);
    exit_to(target, completed);
  });
  ++pending_;
  return true;
}

// RVWMO on x86-TSO: only a store followed by a load can be reordered, so only a fence
// ordering earlier writes before later reads needs MFENCE.
bool Translator::emit_fence(const GuestInsn& g) {
  const bool pred_w = (g.insn >> 24) & 1, succ_r = (g.insn >> 21) & 1;
  const bool pred_o = (g.insn >> 26) & 1, succ_i = (g.insn >> 23) & 1;
  if ((pred_w || pred_o) && (succ_r || succ_i)) mfence();
  ++pending_;
  return true;
}

template bool Translator::emit_branch<kBeq>(const GuestInsn&);
template bool Translator::emit_branch<kBne>(const GuestInsn&);
template bool Translator::emit_branch<kBlt>(const GuestInsn&);
template bool Translator::emit_branch<kBge>(const GuestInsn&);
template bool Translator::emit_branch<kBltu>(const GuestInsn&);
template bool Translator::emit_branch<kBgeu>(const GuestInsn&);

}  // namespace vessel::jit
