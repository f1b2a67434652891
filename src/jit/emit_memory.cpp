// Loads and stores: the soft-TLB hit path inline (ARCHITECTURE.md example 4), the miss,
// page-crossing and MMIO path out of line through the interpreter's slow path.
#include <type_traits>

#include "cpu/riscv/insn_fields.h"
#include <cstddef>

#include "jit/jit_state.h"
#include "jit/slow_paths.h"
#include "jit/translator.h"

namespace vessel::jit {

using namespace Xbyak::util;
using namespace riscv::field;

// In: rsi = guest virtual address. Out on a hit: rdx = host address - guest address.
// The tag is compared with the page of the access's last byte, so an access running into
// the next page misses (QEMU's trick): one comparison checks both.
void Translator::tlb_lookup(unsigned size, bool write, JumpTarget& slow) {
  static_assert(sizeof(riscv::TlbEntry) == 16);
  const int32_t base = write ? layout_.tlb_write[data_ctx_] : layout_.tlb_read[data_ctx_];
  if (size > 1) lea(rax, ptr[rsi + (size - 1)]);
  else mov(rax, rsi);
  shr(rax, riscv::kPageShift);
  mov(ecx, esi);
  shr(ecx, riscv::kPageShift - 4);
  and_(ecx, (riscv::kTlbEntries - 1) << 4);
  cmp(rax, qword[rbx + rcx + base]);
  jump(slow, Cond::NE);
  mov(rdx, qword[rbx + rcx + base + 8]);
}

// In: rsi = guest virtual address. Out: rdx = host address - guest address. The site's slot
// is checked first: aligned (so within one page), the same page, context and TLB epoch.
// Otherwise the TLB lookup runs out of line and refills it. Only user code uses slots: the
// kernel flushes its TLB on every page fault and runs most of its code a few times in
// between, so its slots mostly missed and the refills cost a boot 15 % more CPU.
void Translator::load_lookup(unsigned size, JumpTarget& slow) {
  if (!load_sites_) return tlb_lookup(size, false, slow);
  const auto site = static_cast<int32_t>(offsetof(JitState, load_sites) +
                                         sizeof(LoadSite) * (next_load_site_++ % kLoadSites));
  JumpTarget& normal = new_target();
  JumpTarget& hit = new_target();
  if (size > 1) {
    test(sil, static_cast<uint8_t>(size - 1));
    jump(normal, Cond::NE);
  }
  mov(rax, rsi);
  shr(rax, riscv::kPageShift);
  lea(rax, ptr[rax * 4 + data_ctx_]);
  or_(rax, qword[rbp + static_cast<int32_t>(offsetof(JitState, load_site_epoch_tag))]);
  cmp(rax, qword[rbp + site + static_cast<int32_t>(offsetof(LoadSite, tag))]);
  jump(normal, Cond::NE);
  mov(rdx, qword[rbp + site + static_cast<int32_t>(offsetof(LoadSite, addend))]);
  bind(hit);
  cold([this, &normal, &hit, &slow, site, size] {
    bind(normal);
    tlb_lookup(size, false, slow);  // a hit leaves the page in rax
    lea(rax, ptr[rax * 4 + data_ctx_]);
    or_(rax, qword[rbp + static_cast<int32_t>(offsetof(JitState, load_site_epoch_tag))]);
    mov(qword[rbp + site + static_cast<int32_t>(offsetof(LoadSite, tag))], rax);
    mov(qword[rbp + site + static_cast<int32_t>(offsetof(LoadSite, addend))], rdx);
    jump(hit);
  });
}

// Moves the load slots to the hart's TLB epoch if it changed since the last check.
// Clobbers the caller-saved registers (called where the cached ones are about to be
// reloaded).
void Translator::check_load_sites_epoch() {
  if (!load_sites_) return;
  JumpTarget& flushed = new_target();
  JumpTarget& current = new_target();
  mov(esi, dword[rbx + layout_.tlb_epoch]);
  cmp(rsi, qword[rbp + static_cast<int32_t>(offsetof(JitState, load_sites_epoch))]);
  jump(flushed, Cond::NE);
  bind(current);
  cold([this, &flushed, &current] {
    bind(flushed);
    mov(rdi, rbp);
    mov(rax, reinterpret_cast<uintptr_t>(&JitState::sync_load_sites));
    call(rax);
    jump(current);
  });
}

// rsi <- x[rs1] + imm.
void Translator::load_address(unsigned base, int32_t imm) {
  if (base == 0) mov(rsi, static_cast<int64_t>(imm));
  else if (const Xbyak::Reg64* host = cached(base)) lea(rsi, ptr[*host + imm]);
  else {
    mov(rsi, xreg(base));
    if (imm) add(rsi, imm);
  }
}

template <typename T>
bool Translator::emit_load(const GuestInsn& g) {
  const unsigned d = rd(g.insn);
  const unsigned before = pending_;
  JumpTarget& slow = new_target();
  JumpTarget& done = new_target();
  // Loaded straight into rd's host register when it has one.
  const Xbyak::Reg64* home = cached(d);
  const Xbyak::Reg64& dst = home ? *home : rax;
  load_address(rs1(g.insn), static_cast<int32_t>(imm_i(g.insn)));
  load_lookup(sizeof(T), slow);
  const Xbyak::RegExp at = rsi + rdx;
  if constexpr (std::is_same_v<T, int8_t>) movsx(dst, byte[at]);
  else if constexpr (std::is_same_v<T, uint8_t>) movzx(dst.cvt32(), byte[at]);
  else if constexpr (std::is_same_v<T, int16_t>) movsx(dst, word[at]);
  else if constexpr (std::is_same_v<T, uint16_t>) movzx(dst.cvt32(), word[at]);
  else if constexpr (std::is_same_v<T, int32_t>) movsxd(dst, dword[at]);
  else if constexpr (std::is_same_v<T, uint32_t>) mov(dst.cvt32(), dword[at]);
  else mov(dst, qword[at]);
  bind(done);
  if (!home) store_x(d, rax);
  const uint64_t pc = g.pc;
  cold([this, &slow, &done, pc, before, home] {
    bind(slow);
    set_pc(pc);
    mov(rdi, rbx);
    call_preserving_cached(reinterpret_cast<const void*>(&slow_load<T>));
    check_trap(before);
    if (home) mov(*home, rax);
    jump(done);
  });
  ++pending_;
  return true;
}

template <typename T>
bool Translator::emit_store(const GuestInsn& g) {
  const unsigned before = pending_;
  JumpTarget& slow = new_target();
  JumpTarget& done = new_target();
  load_address(rs1(g.insn), static_cast<int32_t>(imm_s(g.insn)));
  // The value comes from rs2's host register when it has one.
  const Xbyak::Reg64* home = cached(rs2(g.insn));
  const Xbyak::Reg64& value = home ? *home : rdi;
  if (!home) load_x(rdi, rs2(g.insn));
  tlb_lookup(sizeof(T), true, slow);
  const Xbyak::RegExp at = rsi + rdx;
  if constexpr (sizeof(T) == 1) mov(byte[at], value.cvt8());
  else if constexpr (sizeof(T) == 2) mov(word[at], value.cvt16());
  else if constexpr (sizeof(T) == 4) mov(dword[at], value.cvt32());
  else mov(qword[at], value);
  bind(done);
  const uint64_t pc = g.pc;
  cold([this, &slow, &done, pc, before, &value] {
    bind(slow);
    set_pc(pc);
    mov(rdx, value);
    mov(rdi, rbx);
    call_preserving_cached(reinterpret_cast<const void*>(&slow_store<T>));
    check_trap(before);
    jump(done);
  });
  ++pending_;
  return true;
}

template bool Translator::emit_load<int8_t>(const GuestInsn&);
template bool Translator::emit_load<int16_t>(const GuestInsn&);
template bool Translator::emit_load<int32_t>(const GuestInsn&);
template bool Translator::emit_load<int64_t>(const GuestInsn&);
template bool Translator::emit_load<uint8_t>(const GuestInsn&);
template bool Translator::emit_load<uint16_t>(const GuestInsn&);
template bool Translator::emit_load<uint32_t>(const GuestInsn&);
template bool Translator::emit_store<uint8_t>(const GuestInsn&);
template bool Translator::emit_store<uint16_t>(const GuestInsn&);
template bool Translator::emit_store<uint32_t>(const GuestInsn&);
template bool Translator::emit_store<uint64_t>(const GuestInsn&);

}  // namespace vessel::jit
