#include "jit/trampoline.h"

#include <cstddef>

namespace vessel::jit {

Trampoline::Trampoline(uint8_t* buffer, size_t size) : Xbyak::CodeGenerator(size, buffer) {
  using namespace Xbyak::util;
  // enter(hart, state, code): save the callee-saved registers we use and keep the stack
  // 16-byte aligned for the C++ helpers blocks call.
  enter_ = getCurr<uintptr_t (*)(riscv::Hart*, JitState*, const uint8_t*)>();
  push(rbx);
  push(rbp);
  push(r12);
  push(r13);
  push(r14);
  push(r15);
  sub(rsp, 8);
  mov(rbx, rdi);
  mov(rbp, rsi);
  jmp(rdx);

  align(16);
  exit_ = getCurr();
  add(rsp, 8);
  pop(r15);
  pop(r14);
  pop(r13);
  pop(r12);
  pop(rbp);
  pop(rbx);
  ret();

  // rax = target pc, edx = context of the jumping block (blocks never change context).
  align(16);
  lookup_ = getCurr();
  Xbyak::Label miss;
  // rcx = JitState::jump_slot(rax) * 32
  mov(rcx, rax);
  mov(rsi, rax);
  shr(rcx, 1);
  shr(rsi, 12);
  xor_(ecx, esi);
  and_(ecx, kJumpCacheEntries - 1);
  shl(ecx, 5);
  lea(rsi, ptr[rbp + rcx + static_cast<int32_t>(offsetof(JitState, jump_cache))]);
  cmp(rax, ptr[rsi]);
  jne(miss);
  mov(rdi, ptr[rsi + 8]);
  mov(r8d, edi);
  and_(r8d, 15);
  cmp(r8d, edx);
  jne(miss);
  // Does the fetch TLB still map the pc to the same guest code?
  and_(edx, 3);
  mov(r8, ptr[rbp + rdx * 8 + static_cast<int32_t>(offsetof(JitState, fetch_tlb))]);
  mov(rdx, rax);
  shr(rdx, riscv::kPageShift);
  mov(ecx, edx);
  and_(ecx, riscv::kTlbEntries - 1);
  shl(ecx, 4);
  cmp(rdx, ptr[r8 + rcx]);
  jne(miss);
  mov(rdx, ptr[r8 + rcx + 8]);
  add(rdx, rax);
  cmp(rdx, ptr[rsi + 16]);
  jne(miss);
  and_(rdi, -16);
  jmp(rdi);
  L(miss);
  xor_(eax, eax);
  jmp(exit_);
}

}  // namespace vessel::jit
