// Zicsr, Zifencei and the privileged instructions (ECALL, EBREAK, xRET, WFI, SFENCE.VMA).
#include <atomic>

#include "cpu/riscv/decoder.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/insn_fields.h"

namespace vessel::riscv {
namespace {

using namespace field;

// FENCE orders this hart's accesses as seen by other harts (host threads).
void fence(Hart&, uint32_t) { std::atomic_thread_fence(std::memory_order_seq_cst); }
// The interpreter's decoded blocks and the JIT's translated code are checked against guest
// memory again once the code epoch moves.
void fence_i(Hart& h, uint32_t) {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  h.code_epoch->fetch_add(1, std::memory_order_release);
  h.end_batch = true;
}

void ecall(Hart& h, uint32_t) {
  switch (h.priv) {
    case Priv::User: h.raise(Exception::EcallFromU, 0); break;
    case Priv::Supervisor:
      if (!(h.hooks && h.hooks->supervisor_ecall(h))) h.raise(Exception::EcallFromS, 0);
      break;
    case Priv::Machine: h.raise(Exception::EcallFromM, 0); break;
  }
}
void ebreak(Hart& h, uint32_t) { h.raise(Exception::Breakpoint, h.pc); }

void mret(Hart& h, uint32_t) {
  if (h.priv != Priv::Machine) return h.raise_illegal();
  h.trap_return_m();
}
void sret(Hart& h, uint32_t) {
  if (h.priv == Priv::User || (h.priv == Priv::Supervisor && (h.csr.mstatus & mstatus::kTSR))) return h.raise_illegal();
  h.trap_return_s();
}
void wfi(Hart& h, uint32_t) {
  if (h.priv == Priv::User || (h.priv == Priv::Supervisor && (h.csr.mstatus & mstatus::kTW))) return h.raise_illegal();
  h.waiting = true;  // the run loop sleeps until an interrupt is pending (even if masked)
  h.end_batch = true;
}
void sfence_vma(Hart& h, uint32_t) {
  if (h.priv == Priv::User || (h.priv == Priv::Supervisor && (h.csr.mstatus & mstatus::kTVM))) return h.raise_illegal();
  h.flush_tlb();
  h.end_batch = true;
}

enum class CsrOp { Write, Set, Clear };

template <CsrOp op, bool immediate>
void csr_access(Hart& h, uint32_t i) {
  const uint16_t num = static_cast<uint16_t>(field::csr(i));
  const uint64_t src = immediate ? rs1(i) : h.x[rs1(i)];
  // CSRRS/CSRRC with x0 (or a zero immediate) read without writing.
  const bool writes = op == CsrOp::Write || rs1(i) != 0;
  uint64_t old;
  if (!h.csr_accessible(num, writes) || !h.csr_read(num, old)) return h.raise_illegal();
  if (writes) {
    const uint64_t value = op == CsrOp::Write ? src : op == CsrOp::Set ? (old | src) : (old & ~src);
    if (!h.csr_write(num, value)) return h.raise_illegal();
  }
  h.x[rd(i)] = old;
}

constexpr Encoding kTable[] = {
    encoding("fence", "???? ???? ???? ????? 000 ????? 0001111", fence),
    encoding("fence.i", "???????????? ????? 001 ????? 0001111", fence_i),
    encoding("ecall", "000000000000 00000 000 00000 1110011", ecall),
    encoding("ebreak", "000000000001 00000 000 00000 1110011", ebreak),
    encoding("mret", "0011000 00010 00000 000 00000 1110011", mret),
    encoding("sret", "0001000 00010 00000 000 00000 1110011", sret),
    encoding("wfi", "0001000 00101 00000 000 00000 1110011", wfi),
    encoding("sfence.vma", "0001001 ????? ????? 000 00000 1110011", sfence_vma),
    encoding("csrrw", "???????????? ????? 001 ????? 1110011", csr_access<CsrOp::Write, false>),
    encoding("csrrs", "???????????? ????? 010 ????? 1110011", csr_access<CsrOp::Set, false>),
    encoding("csrrc", "???????????? ????? 011 ????? 1110011", csr_access<CsrOp::Clear, false>),
    encoding("csrrwi", "???????????? ????? 101 ????? 1110011", csr_access<CsrOp::Write, true>),
    encoding("csrrsi", "???????????? ????? 110 ????? 1110011", csr_access<CsrOp::Set, true>),
    encoding("csrrci", "???????????? ????? 111 ????? 1110011", csr_access<CsrOp::Clear, true>),
};

}  // namespace

std::span<const Encoding> system_encodings() { return kTable; }

}  // namespace vessel::riscv
