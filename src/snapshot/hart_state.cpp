#include "snapshot/hart_state.h"

namespace vessel::snapshot {
namespace {

// The CSR file in one fixed order, shared by save and restore so they cannot disagree.
template <typename Csr, typename Fn>
void each_csr(Csr& c, Fn&& fn) {
  for (auto* v : {&c.mstatus, &c.medeleg, &c.mideleg, &c.mie, &c.mtvec, &c.mcounteren, &c.menvcfg, &c.mcountinhibit,
                  &c.mscratch, &c.mepc, &c.mcause, &c.mtval, &c.stvec, &c.scounteren, &c.senvcfg, &c.sscratch,
                  &c.sepc, &c.scause, &c.stval, &c.satp, &c.stimecmp, &c.cycle_base})
    fn(*v);
}

}  // namespace

void save_hart(const riscv::Hart& h, StateWriter& out) {
  out.u64(h.hartid);
  for (uint64_t v : h.x) out.u64(v);
  for (uint64_t v : h.f) out.u64(v);
  out.u64(h.pc);
  out.u8(static_cast<uint8_t>(h.priv));
  out.u64(h.instret);
  each_csr(h.csr, [&](const uint64_t& v) { out.u64(v); });
  out.u8(h.csr.fflags);
  out.u8(h.csr.frm);
  for (uint8_t v : h.csr.pmpcfg) out.u8(v);
  for (uint64_t v : h.csr.pmpaddr) out.u64(v);
  out.u64(h.mip.load());
  out.u64(h.mtimecmp.load());
  out.boolean(h.waiting);
}

bool restore_hart(riscv::Hart& h, StateReader& in) {
  if (in.u64() != h.hartid) in.fail("hart id does not match");
  for (uint64_t& v : h.x) v = in.u64();
  h.x[0] = 0;
  for (uint64_t& v : h.f) v = in.u64();
  h.pc = in.u64();
  const uint8_t priv = in.u8();
  if (priv != 0 && priv != 1 && priv != 3) in.fail("invalid privilege level " + std::to_string(priv));
  h.priv = static_cast<riscv::Priv>(priv);
  h.instret = in.u64();
  each_csr(h.csr, [&](uint64_t& v) { v = in.u64(); });
  h.csr.fflags = in.u8() & 0x1f;
  h.csr.frm = in.u8() & 7;
  for (uint8_t& v : h.csr.pmpcfg) v = in.u8();
  for (uint64_t& v : h.csr.pmpaddr) v = in.u64();
  h.mip.store(in.u64());
  h.mtimecmp.store(in.u64());
  h.waiting = in.boolean();
  if (!in.finish()) return false;
  h.reservation = nullptr;
  h.trapped = false;
  h.end_batch = true;
  h.flush_tlb();
  h.update_tlb_context();
  return true;
}

}  // namespace vessel::snapshot
