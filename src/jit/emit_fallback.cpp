// Instructions without a native translation run their interpreter handler from the block.
#include "jit/slow_paths.h"
#include "jit/translator.h"

namespace vessel::jit {
namespace {

void illegal_instruction(riscv::Hart& h, uint32_t) { h.raise_illegal(); }

// CSRRW/CSRRS/CSRRC and their immediate forms (SYSTEM with funct3 != 0).
bool is_csr_access(uint32_t insn) { return (insn & 0x7f) == 0x73 && ((insn >> 12) & 7) != 0; }

}  // namespace

using namespace Xbyak::util;

// Handlers that only touch registers and memory (FP, AMOs, LR/SC, what the M extension
// does not translate) let the block continue; everything else may change control flow,
// privilege, translation or interrupt state and ends it.
bool Translator::continues_after_fallback(uint32_t insn) {
  switch (insn & 0x7f) {
    case 0x07:  // FLW/FLD
    case 0x27:  // FSW/FSD
    case 0x43:  // FMADD
    case 0x47:  // FMSUB
    case 0x4b:  // FNMSUB
    case 0x4f:  // FNMADD
    case 0x53:  // OP-FP
    case 0x2f:  // AMO, LR/SC
    case 0x13:  // OP-IMM (Zbb's unary operations, Zbs's immediate forms)
    case 0x1b:  // OP-IMM-32 (clzw, roriw, slli.uw)
    case 0x33:  // OP (MULHSU, Zba, Zbb, Zbs, Zicond)
    case 0x3b:  // OP-32
      return true;
    case 0x0f:  // MISC-MEM: cache-block operations (Zicbom, Zicboz) only touch memory
      return ((insn >> 12) & 7) == 2;
    case 0x73:  // CSR instructions, checked after they ran (see emit_fallback); not satp
      return is_csr_access(insn) && (insn >> 20) != 0x180;
    default: return false;
  }
}

void Translator::call_interpreter(const GuestInsn& g, const void* via) {
  const riscv::Handler handler = g.enc ? g.enc->handler : illegal_instruction;
  set_pc(g.pc);
  mov(dword[rbx + layout_.cur_insn], g.raw);
  mov(rax, g.pc + g.len);
  mov(qword[rbx + layout_.next_pc], rax);
  write_back();  // the handler reads (and may write) the hart's registers
  mov(rdi, rbx);
  mov(rsi, reinterpret_cast<uintptr_t>(handler));
  mov(edx, g.insn);
  mov(rax, reinterpret_cast<uintptr_t>(via));
  call(rax);
  check_load_sites_epoch();  // the handler may have flushed the TLB (sfence, a status write)
  reload_cached();
  load_cached_fp();  // the call clobbered them; the handler may have written f registers
}

bool Translator::emit_fallback(const GuestInsn& g) {
  add_instret(pending_);
  pending_ = 0;
  const bool csr = is_csr_access(g.insn);
  call_interpreter(g, csr ? reinterpret_cast<const void*>(&call_csr_handler) : reinterpret_cast<const void*>(&call_handler));
  check_trap(0);
  fp_state_ = 0;
  boxed_ = 0;
  if (g.enc && continues_after_fallback(g.insn)) {
    pending_ = 1;
    // A CSR write may have changed what the rest of the block was translated for (the
    // privilege or SUM/MPRV: the context) or made an interrupt takeable: then leave.
    if (csr) {
      JumpTarget& leave = new_target();
      cmp(byte[rbx + layout_.end_batch], 0);
      jump(leave, Cond::NE);
      cmp(byte[rbx + layout_.fetch_ctx], ctx_ & 3);
      jump(leave, Cond::NE);
      cmp(byte[rbx + layout_.data_ctx], data_ctx_);
      jump(leave, Cond::NE);
      cold([this, &leave] {
        bind(leave);
        exit_to_next_pc(1);
      });
    }
    return true;
  }
  exit_to_next_pc(1);
  return false;
}

}  // namespace vessel::jit
