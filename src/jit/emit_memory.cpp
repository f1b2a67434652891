// Loads and stores: the soft-TLB hit path inline (ARCHITECTURE.md example 4), the miss,
// page-crossing and MMIO path out of line through the interpreter's slow path.
#include <type_traits>

#include "cpu/riscv/insn_fields.h"
#include "jit/slow_paths.h"
#include "jit/translator.h"

namespace vessel::jit {

using namespace Xbyak::util;
using namespace riscv::field;

// In: rsi = guest virtual address. Out on a hit: rdx = host address - guest address.
void Translator::tlb_lookup(unsigned size, bool write, const Xbyak::Label& slow) {
  static_assert(sizeof(riscv::TlbEntry) == 16);
  const int32_t base = write ? layout_.tlb_write[data_ctx_] : layout_.tlb_read[data_ctx_];
  mov(rax, rsi);
  shr(rax, riscv::kPageShift);
  mov(ecx, eax);
  and_(ecx, riscv::kTlbEntries - 1);
  shl(ecx, 4);
  cmp(rax, qword[rbx + rcx + base]);
  jne(slow, T_NEAR);
  if (size > 1) {  // the access must not run into the next page
    mov(eax, esi);
    and_(eax, riscv::kPageSize - 1);
    cmp(eax, static_cast<uint32_t>(riscv::kPageSize - size));
    ja(slow, T_NEAR);
  }
  mov(rdx, qword[rbx + rcx + base + 8]);
}

template <typename T>
bool Translator::emit_load(const GuestInsn& g) {
  const unsigned d = rd(g.insn);
  const auto imm = static_cast<int32_t>(imm_i(g.insn));
  const unsigned before = pending_;
  Xbyak::Label& slow = new_label();
  Xbyak::Label& done = new_label();
  load_x(rsi, rs1(g.insn));
  if (imm) add(rsi, imm);
  tlb_lookup(sizeof(T), false, slow);
  const Xbyak::RegExp at = rsi + rdx;
  if constexpr (std::is_same_v<T, int8_t>) movsx(rax, byte[at]);
  else if constexpr (std::is_same_v<T, uint8_t>) movzx(eax, byte[at]);
  else if constexpr (std::is_same_v<T, int16_t>) movsx(rax, word[at]);
  else if constexpr (std::is_same_v<T, uint16_t>) movzx(eax, word[at]);
  else if constexpr (std::is_same_v<T, int32_t>) movsxd(rax, dword[at]);
  else if constexpr (std::is_same_v<T, uint32_t>) mov(eax, dword[at]);
  else mov(rax, qword[at]);
  L(done);
  store_x(d, rax);
  const uint64_t pc = g.pc;
  cold([this, &slow, &done, pc, before] {
    L(slow);
    set_pc(pc);
    mov(rdi, rbx);
    mov(rax, reinterpret_cast<uintptr_t>(&slow_load<T>));
    call(rax);
    check_trap(before);
    jmp(done, T_NEAR);
  });
  ++pending_;
  return true;
}

template <typename T>
bool Translator::emit_store(const GuestInsn& g) {
  const auto imm = static_cast<int32_t>(imm_s(g.insn));
  const unsigned before = pending_;
  Xbyak::Label& slow = new_label();
  Xbyak::Label& done = new_label();
  load_x(rsi, rs1(g.insn));
  if (imm) add(rsi, imm);
  load_x(r8, rs2(g.insn));
  tlb_lookup(sizeof(T), true, slow);
  const Xbyak::RegExp at = rsi + rdx;
  if constexpr (sizeof(T) == 1) mov(byte[at], r8b);
  else if constexpr (sizeof(T) == 2) mov(word[at], r8w);
  else if constexpr (sizeof(T) == 4) mov(dword[at], r8d);
  else mov(qword[at], r8);
  L(done);
  const uint64_t pc = g.pc;
  cold([this, &slow, &done, pc, before] {
    L(slow);
    set_pc(pc);
    mov(rdi, rbx);
    mov(rdx, r8);
    mov(rax, reinterpret_cast<uintptr_t>(&slow_store<T>));
    call(rax);
    check_trap(before);
    jmp(done, T_NEAR);
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
