#include "jit/translator.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <stdexcept>

#include "cpu/riscv/insn_fields.h"

namespace vessel::jit {

using namespace Xbyak::util;

Translator::Translator(uint8_t* buffer, size_t size, const HartLayout& layout, const Trampoline& trampoline,
                       std::deque<LinkSite>& link_sites, const riscv::Decoder& decoder)
    : Xbyak::CodeGenerator(size, buffer),
      layout_(layout),
      trampoline_(trampoline),
      link_sites_(link_sites),
      decoder_(decoder),
      capacity_(size) {}

void Translator::load_x(const Xbyak::Reg64& dst, unsigned r) {
  if (r == 0)
    xor_(dst.cvt32(), dst.cvt32());
  else if (const Xbyak::Reg64* host = cached(r))
    mov(dst, *host);
  else
    mov(dst, xreg(r));
}

void Translator::store_x(unsigned r, const Xbyak::Reg64& src) {
  if (r == 0) return;
  if (const Xbyak::Reg64* host = cached(r))
    mov(*host, src);
  else
    mov(xreg(r), src);
}

namespace {

// Which of an instruction's register fields name x registers it reads or writes (floating
// point instructions mostly name f registers).
void x_registers_used(uint32_t i, bool& reads_rs1, bool& reads_rs2, bool& writes_rd) {
  const uint32_t op = i & 0x7f;
  reads_rs2 = op == 0x63 || op == 0x23 || op == 0x33 || op == 0x3b;
  reads_rs1 = op != 0x37 && op != 0x17 && op != 0x6f && op != 0x0f;
  writes_rd = op != 0x63 && op != 0x23 && op != 0x0f;
  switch (op) {
    case 0x07: writes_rd = false; break;  // FLW/FLD: the base address only
    case 0x27: break;                     // FSW/FSD: the base address (rs2 is an f register)
    case 0x43: case 0x47: case 0x4b: case 0x4f: reads_rs1 = writes_rd = false; break;
    case 0x53: {
      const uint32_t funct5 = i >> 27;
      // to x: comparisons (10100), conversions to integers (11000), fmv.x/fclass (11100);
      // from x: conversions from integers (11010), fmv.f.x (11110)
      writes_rd = funct5 == 0x14 || funct5 == 0x18 || funct5 == 0x1c;
      reads_rs1 = funct5 == 0x1a || funct5 == 0x1e;
      break;
    }
    default: break;
  }
}

}  // namespace

void Translator::choose_cached_registers(const std::vector<GuestInsn>& insns) {
  unsigned uses[32] = {};
  uint32_t writes = 0;
  for (const GuestInsn& g : insns) {
    if (!g.emit) continue;
    const uint32_t i = g.insn;
    const unsigned d = (i >> 7) & 31, s1 = (i >> 15) & 31, s2 = (i >> 20) & 31;
    bool reads_rs1, reads_rs2, writes_rd;
    x_registers_used(i, reads_rs1, reads_rs2, writes_rd);
    if (reads_rs1) ++uses[s1];
    if (reads_rs2) ++uses[s2];
    if (writes_rd) {
      ++uses[d];
      writes |= 1u << d;
    }
  }
  for (auto& h : host_of_) h = -1;
  cached_count_ = 0;
  uses[0] = 0;
  while (cached_count_ < kCachedRegs) {
    unsigned best = 0;
    for (unsigned r = 1; r < 32; ++r)
      if (uses[r] > uses[best]) best = r;
    if (uses[best] < 2) break;  // one use: loading and storing it costs more than it saves
    host_of_[best] = static_cast<int8_t>(cached_count_);
    cached_guest_[cached_count_++] = best;
    uses[best] = 0;
  }
  written_ = 0;
  for (unsigned k = 0; k < cached_count_; ++k) written_ |= writes & (1u << cached_guest_[k]);
}

void Translator::write_back() {
  for (unsigned k = 0; k < cached_count_; ++k)
    if (written_ & (1u << cached_guest_[k])) mov(xreg(cached_guest_[k]), kCacheRegs[k]);
}

void Translator::reload_cached() {
  for (unsigned k = 0; k < cached_count_; ++k) mov(kCacheRegs[k], xreg(cached_guest_[k]));
}

void Translator::call_preserving_cached(const void* function) {
  // r8-r11 are caller-saved: keep the ones holding guest registers across the call (an
  // even number of pushes keeps the stack 16-byte aligned).
  const unsigned saved = cached_count_ > kCalleeSaved ? ((cached_count_ - kCalleeSaved + 1) & ~1u) : 0;
  for (unsigned k = 0; k < saved; ++k) push(kCacheRegs[kCalleeSaved + k]);
  mov(rax, reinterpret_cast<uintptr_t>(function));
  call(rax);
  for (unsigned k = saved; k-- > 0;) pop(kCacheRegs[kCalleeSaved + k]);
  load_cached_fp();
}

void Translator::jump(JumpTarget& target, Cond cond) {
  if (cond == Cond::Always) {
    db(0xe9);
  } else {
    db(0x0f);
    db(0x80 | static_cast<uint8_t>(cond));
  }
  auto* field = const_cast<uint8_t*>(getCurr());
  dd(0);
  if (target.bound) {
    patch_rel32(field, target.bound);
  } else {
    if (target.pending_count == JumpTarget::kMaxPendingSites) throw std::logic_error("JIT: too many jumps to one target");
    target.pending[target.pending_count++] = field;
  }
}

void Translator::bind(JumpTarget& target) {
  target.bound = const_cast<uint8_t*>(getCurr());
  for (unsigned i = 0; i < target.pending_count; ++i) patch_rel32(target.pending[i], target.bound);
  target.pending_count = 0;
}

void Translator::set_pc(uint64_t pc) {
  // Kernel (top 2 GiB) and low user addresses fit a sign-extended imm32: one instruction.
  if (static_cast<int64_t>(pc) == static_cast<int32_t>(pc)) {
    mov(qword[rbx + layout_.pc], static_cast<int32_t>(pc));
    return;
  }
  mov(rax, pc);
  mov(qword[rbx + layout_.pc], rax);
}

void Translator::add_instret(unsigned n) {
  if (n) add(qword[rbx + layout_.instret], n);
}

void Translator::check_budget(JumpTarget& over) {
  mov(rax, qword[rbx + layout_.instret]);
  add(rax, static_cast<int32_t>(block_->length));
  cmp(rax, qword[rbp + static_cast<int32_t>(offsetof(JitState, instret_limit))]);
  jump(over, Cond::A);
}

void Translator::leave(uintptr_t tag) {
  if (tag) mov(rax, tag);
  else xor_(eax, eax);
  jmp(trampoline_.exit(), T_NEAR);
}

void Translator::leave_at_next_pc() {
  mov(rax, qword[rbx + layout_.next_pc]);
  mov(qword[rbx + layout_.pc], rax);
  leave(kExitPlain);
}

void Translator::jump_through_cache() {
  mov(qword[rbx + layout_.pc], rax);
  mov(edx, ctx_);
  jmp(trampoline_.jump_cache_lookup(), T_NEAR);
}

void Translator::exit_to(uint64_t target, unsigned completed) {
  if (target == block_->pc) {
    // Back to this block's start (a loop): the guest registers stay in host registers and
    // only the batch budget is checked. The code epoch is checked when the block is next
    // entered: another hart's code change needs this hart's FENCE.I, which ends the block.
    add_instret(completed);
    JumpTarget& out = new_target();
    check_budget(out);
    jump(*loop_head_);
    cold([this, &out] {
      bind(out);
      write_back();
      set_pc(block_->pc);
      leave(kExitPlain);
    });
    return;
  }
  write_back();
  add_instret(completed);
  if ((target >> riscv::kPageShift) == (block_->pc >> riscv::kPageShift)) {
    // Same guest page, hence same physical page: safe to link directly once translated.
    LinkSite& site = link_sites_.emplace_back();
    site.from = block_;
    site.target_pc = target;
    JumpTarget& stub = new_target();
    jump(stub);
    site.rel32 = const_cast<uint8_t*>(getCurr()) - 4;
    cold([this, &site, &stub, target] {
      bind(stub);
      site.stub = const_cast<uint8_t*>(getCurr());
      set_pc(target);
      leave(reinterpret_cast<uintptr_t>(&site) | kExitLink);
    });
    return;
  }
  mov(rax, target);
  jump_through_cache();
}

void Translator::exit_to_next_pc(unsigned completed) {
  write_back();
  add_instret(completed);
  leave_at_next_pc();
}

void Translator::check_trap(unsigned completed) {
  // Each site only says how many instructions completed; one exit per block does the rest.
  if (!trap_exit_) {
    trap_exit_ = &new_target();
    cold([this] {
      bind(*trap_exit_);
      write_back();
      add(qword[rbx + layout_.instret], rcx);
      leave_at_next_pc();
    });
  }
  JumpTarget& trap = new_target();
  cmp(byte[rbx + layout_.trapped], 0);
  jump(trap, Cond::NE);
  cold([this, &trap, completed] {
    bind(trap);
    mov(ecx, completed);
    jump(*trap_exit_);
  });
}

uint64_t Translator::decode_block(uint64_t pc, const uint8_t* guest, std::vector<GuestInsn>& insns, uint64_t& lo,
                                  uint64_t& hi) {
  const uint8_t* page = guest - (pc & (riscv::kPageSize - 1));
  auto in_block = [&](uint64_t at) {
    for (const GuestInsn& g : insns)
      if (g.pc == at) return true;
    return false;
  };
  uint64_t cur = pc;
  unsigned branches = 0;
  while (insns.size() < kMaxInsns) {
    // A block never leaves its page: the next virtual page may map anywhere.
    if ((cur ^ pc) >> riscv::kPageShift) break;
    const uint64_t in_page = riscv::kPageSize - (cur & (riscv::kPageSize - 1));
    const uint8_t* at = page + (cur & (riscv::kPageSize - 1));
    uint16_t low;
    memcpy(&low, at, 2);
    GuestInsn gi;
    gi.pc = cur;
    if ((low & 3) == 3) {
      if (in_page < 4) break;
      memcpy(&gi.raw, at, 4);
      gi.insn = gi.raw;
      gi.len = 4;
    } else {
      gi.raw = low;
      gi.insn = decoder_.expand(low);
      gi.len = 2;
    }
    gi.enc = gi.insn ? decoder_.find(gi.insn) : nullptr;
    gi.emit = gi.enc ? emitter_for(gi.enc) : nullptr;
    // Of the CSRs, only fflags, frm and fcsr are translated (the others may end the block).
    if ((gi.insn & 0x7f) == 0x73 && (gi.insn >> 20) - 1 > 2) gi.emit = nullptr;
    lo = std::min(lo, cur);
    hi = std::max(hi, cur + gi.len);
    cur += gi.len;
    if (!gi.emit) {
      insns.push_back(gi);
      // Fallbacks that may change control flow or privilege end the block.
      if (!gi.enc || !continues_after_fallback(gi.insn)) break;
      continue;
    }
    const uint32_t opcode = gi.insn & 0x7f;
    if (opcode == 0x6f) {  // jal: follow it when its target is on this page
      const uint64_t target = gi.pc + riscv::field::imm_j(gi.insn);
      gi.follow = !((target ^ pc) >> riscv::kPageShift) && target != gi.pc && !in_block(target);
      insns.push_back(gi);
      if (!gi.follow) break;
      cur = target;
      continue;
    }
    insns.push_back(gi);
    if (opcode == 0x67) break;  // jalr
    // A conditional branch leaves through a side exit when taken; the block goes on with the
    // instructions after it (a superblock), so branchy code runs fewer block transitions.
    // Every exit writes back the registers the whole block writes: keep blocks short.
    if (opcode == 0x63 && ++branches == kMaxBranches) break;
  }
  return cur;
}

bool Translator::translate(Block& block, uint64_t pc, const uint8_t* guest, uint8_t ctx, uint8_t data_ctx) {
  block_ = &block;
  ctx_ = ctx;
  data_ctx_ = data_ctx;
  pending_ = 0;
  cold_.clear();
  targets_.clear();
  trap_exit_ = nullptr;
  fp_state_ = 0;
  boxed_ = 0;
  block.pc = pc;
  block.guest = guest;
  block.ctx = ctx;
  // Decode the block first: an empty block (first instruction straddling the page) must
  // not emit anything.
  std::vector<GuestInsn>& insns = insns_;  // reused: no allocation per block
  insns.clear();
  uint64_t lo = pc, hi = pc;
  const uint64_t cur = decode_block(pc, guest, insns, lo, hi);
  if (insns.empty()) return false;
  choose_cached_registers(insns);
  choose_cached_fp_registers(insns);
  load_sites_ = data_ctx == riscv::kCtxUser;
  block.copy_from = guest - (pc - lo);
  block.code_copy.assign(block.copy_from, block.copy_from + (hi - lo));
  block.length = static_cast<uint32_t>(insns.size());

  align(16);
  block.entry = const_cast<uint8_t*>(getCurr());
  // Prologue: is the guest code still what we translated, and is the batch over?
  JumpTarget& stale = new_target();
  JumpTarget& budget = new_target();
  JumpTarget& top = new_target();
  bind(top);
  mov(rax, qword[rbp + static_cast<int32_t>(offsetof(JitState, epoch))]);
  mov(ecx, 0x12345678);  // always the 5-byte imm32 form: the engine patches in the epoch
  block.epoch_imm = const_cast<uint8_t*>(getCurr()) - 4;
  cmp(ecx, dword[rax]);
  jump(stale, Cond::NE);
  // The whole block must fit in the batch: budgets are exact (the differential test and
  // --max-instructions rely on it); the dispatcher interprets the remainder.
  check_budget(budget);
  check_load_sites_epoch();
  reload_cached();
  load_cached_fp();
  loop_head_ = &new_target();
  bind(*loop_head_);
  cold([this, &stale, &budget, &top, pc, &block] {
    bind(stale);
    // Most epoch changes are other code's (the kernel runs FENCE.I for every new user code
    // page): check this block's guest bytes in place and go on if they are unchanged.
    mov(rdi, qword[rbp + static_cast<int32_t>(offsetof(JitState, engine))]);
    mov(rsi, reinterpret_cast<uintptr_t>(&block));
    call(qword[rbp + static_cast<int32_t>(offsetof(JitState, revalidate))]);
    test(al, al);
    jump(top, Cond::NE);
    set_pc(pc);
    leave(reinterpret_cast<uintptr_t>(&block) | kExitStale);
    bind(budget);
    set_pc(pc);
    leave(kExitPlain);
  });

  bool open = true;
  for (const GuestInsn& gi : insns) {
    open = gi.emit ? (this->*gi.emit)(gi) : emit_fallback(gi);
    if (!open) break;
  }
  if (open) exit_to(cur, pending_);
  for (size_t i = 0; i < cold_.size(); ++i) {
    auto code = cold_[i];  // may append to cold_
    code();
  }
  return true;
}

}  // namespace vessel::jit
