// Trap entry, interrupt selection and xRET (privileged spec 1.12, sections 3.1.6-3.1.9, 3.3.2).
#include "cpu/riscv/hart.h"

namespace vessel::riscv {
namespace {

using namespace mstatus;

// Interrupt priority order of the spec: MEI, MSI, MTI, SEI, SSI, STI.
constexpr unsigned kPriorityOrder[] = {irq::kMEI, irq::kMSI, irq::kMTI, irq::kSEI, irq::kSSI, irq::kSTI};

uint64_t trap_target(uint64_t tvec, uint64_t cause, bool interrupt) {
  const uint64_t base = tvec & ~3ull;
  return ((tvec & 3) == 1 && interrupt) ? base + 4 * cause : base;
}

}  // namespace

void Hart::enter_trap(uint64_t cause, uint64_t tval, bool interrupt) {
  const uint64_t deleg = interrupt ? csr.mideleg : csr.medeleg;
  const uint64_t cause_value = cause | (interrupt ? 1ull << 63 : 0);
  reservation = nullptr;
  uint64_t& s = csr.mstatus;
  if (priv != Priv::Machine && ((deleg >> cause) & 1)) {
    csr.scause = cause_value;
    csr.sepc = pc;
    csr.stval = tval;
    s = (s & ~(kSPIE | kSPP | kSIE)) | ((s & kSIE) ? kSPIE : 0) | (priv == Priv::Supervisor ? kSPP : 0);
    priv = Priv::Supervisor;
    next_pc = trap_target(csr.stvec, cause, interrupt);
  } else {
    csr.mcause = cause_value;
    csr.mepc = pc;
    csr.mtval = tval;
    s = (s & ~(kMPIE | kMPP | kMIE)) | ((s & kMIE) ? kMPIE : 0) |
        (static_cast<uint64_t>(priv) << kMPPShift);
    priv = Priv::Machine;
    next_pc = trap_target(csr.mtvec, cause, interrupt);
  }
  update_tlb_context();
  end_batch = true;
}

void Hart::raise(Exception cause, uint64_t tval) {
  trapped = true;
  enter_trap(static_cast<uint64_t>(cause), tval, false);
}

uint64_t Hart::pending_enabled_interrupts() const {
  const uint64_t pending = mip.load(std::memory_order_relaxed) & csr.mie;
  if (!pending) return 0;
  // Interrupts for a more privileged mode are always enabled; for the current mode only with xIE.
  const bool m_on = priv != Priv::Machine || (csr.mstatus & kMIE);
  const bool s_on = priv == Priv::User || (priv == Priv::Supervisor && (csr.mstatus & kSIE));
  const uint64_t to_m = m_on ? pending & ~csr.mideleg : 0;
  const uint64_t to_s = s_on ? pending & csr.mideleg : 0;
  return to_m ? to_m : to_s;
}

bool Hart::take_interrupt() {
  const uint64_t candidates = pending_enabled_interrupts();
  if (!candidates) return false;
  for (unsigned irq : kPriorityOrder) {
    if (candidates & (1ull << irq)) {
      enter_trap(irq, 0, true);
      pc = next_pc;
      return true;
    }
  }
  return false;
}

void Hart::trap_return_m() {
  uint64_t& s = csr.mstatus;
  const auto mpp = static_cast<Priv>((s >> kMPPShift) & 3);
  s = (s & ~(kMIE | kMPP)) | ((s & kMPIE) ? kMIE : 0) | kMPIE;  // MPP <- U
  if (mpp != Priv::Machine) s &= ~kMPRV;
  priv = mpp;
  next_pc = csr.mepc;
  reservation = nullptr;
  update_tlb_context();
  end_batch = true;
}

void Hart::trap_return_s() {
  uint64_t& s = csr.mstatus;
  const Priv spp = (s & kSPP) ? Priv::Supervisor : Priv::User;
  s = (s & ~(kSIE | kSPP | kMPRV)) | ((s & kSPIE) ? kSIE : 0) | kSPIE;
  priv = spp;
  next_pc = csr.sepc;
  reservation = nullptr;
  update_tlb_context();
  end_batch = true;
}

}  // namespace vessel::riscv
