// Control and status registers: access rules and WARL legalisation (privileged spec 1.12, chapter 2-3).
#include "cpu/riscv/hart.h"

namespace vessel::riscv {
namespace {

using namespace mstatus;

constexpr uint64_t kMstatusWritable =
    kSIE | kMIE | kSPIE | kMPIE | kSPP | kMPP | kFS | kMPRV | kSUM | kMXR | kTVM | kTW | kTSR;
constexpr uint64_t kSstatusWritable = kSIE | kSPIE | kSPP | kFS | kSUM | kMXR;
// Exceptions M-mode may delegate: all but ECALL from M (11) and the reserved causes.
constexpr uint64_t kDelegableExceptions = 0xB3FF;
constexpr uint64_t kMenvcfgSTCE = envcfg::kSTCE;

// The envcfg fields the hart's extensions implement (the rest read as zero).
uint64_t envcfg_mask(const Hart& h, bool machine) {
  uint64_t m = envcfg::kFIOM;
  if (h.has(Ext::Zicbom)) m |= envcfg::kCBIE | envcfg::kCBCFE;
  if (h.has(Ext::Zicboz)) m |= envcfg::kCBZE;
  if (machine && h.has(Ext::Svpbmt)) m |= envcfg::kPBMTE;
  if (machine) m |= envcfg::kSTCE;
  return m;
}
// WARL: CBIE = 10 is reserved; such a write keeps the old field.
uint64_t legal_envcfg(uint64_t old, uint64_t v, uint64_t mask) {
  v &= mask;
  if ((v & envcfg::kCBIE) == (2ull << 4)) v = (v & ~envcfg::kCBIE) | (old & envcfg::kCBIE);
  return v;
}

uint64_t with_sd(uint64_t s) { return ((s & kFS) == kFS || (s & kXS) == kXS) ? s | kSD : s & ~kSD; }

uint64_t legal_tvec(uint64_t old, uint64_t v) { return (v & 3) >= 2 ? old : v; }

}  // namespace

bool Hart::csr_accessible(uint16_t num, bool write) const {
  if (static_cast<unsigned>(priv) < ((num >> 8) & 3u)) return false;
  if (write && (num >> 10) == 3) return false;  // read-only CSR space
  return true;
}

bool Hart::csr_read(uint16_t num, uint64_t& v) {
  auto counter_allowed = [&](unsigned index) {
    if (priv == Priv::Machine) return true;
    if (!((csr.mcounteren >> index) & 1)) return false;
    return priv == Priv::Supervisor || ((csr.scounteren >> index) & 1);
  };
  using namespace csr;
  switch (num) {
    case kFflags: if (!fp_enabled()) return false; v = csr.fflags; return true;
    case kFrm: if (!fp_enabled()) return false; v = csr.frm; return true;
    case kFcsr: if (!fp_enabled()) return false; v = (csr.frm << 5) | csr.fflags; return true;
    case kCycle: if (!counter_allowed(0)) return false; v = instret + csr.cycle_base; return true;
    case kTime: if (!counter_allowed(1)) return false; v = timebase.now(); return true;
    case kInstret: if (!counter_allowed(2)) return false; v = instret; return true;
    case kSstatus: v = with_sd(csr.mstatus) & kSstatusMask; return true;
    case kSie: v = csr.mie & csr.mideleg; return true;
    case kStvec: v = csr.stvec; return true;
    case kScounteren: v = csr.scounteren; return true;
    case kSenvcfg: v = csr.senvcfg; return true;
    case kSscratch: v = csr.sscratch; return true;
    case kSepc: v = csr.sepc; return true;
    case kScause: v = csr.scause; return true;
    case kStval: v = csr.stval; return true;
    case kSip: v = mip.load(std::memory_order_relaxed) & csr.mideleg; return true;
    case kStimecmp:
      if (priv == Priv::Supervisor && (!(csr.menvcfg & kMenvcfgSTCE) || !(csr.mcounteren & 2))) return false;
      v = csr.stimecmp;
      return true;
    case kSatp:
      if (priv == Priv::Supervisor && (csr.mstatus & kTVM)) return false;
      v = csr.satp;
      return true;
    case kMvendorid: case kMarchid: case kMimpid: case kMconfigptr: v = 0; return true;
    case kMhartid: v = hartid; return true;
    case kMstatus: v = with_sd(csr.mstatus); return true;
    case kMisa: v = misa; return true;
    case kMedeleg: v = csr.medeleg; return true;
    case kMideleg: v = csr.mideleg; return true;
    case kMie: v = csr.mie; return true;
    case kMtvec: v = csr.mtvec; return true;
    case kMcounteren: v = csr.mcounteren; return true;
    case kMenvcfg: v = csr.menvcfg; return true;
    case kMcountinhibit: v = csr.mcountinhibit; return true;
    case kMscratch: v = csr.mscratch; return true;
    case kMepc: v = csr.mepc; return true;
    case kMcause: v = csr.mcause; return true;
    case kMtval: v = csr.mtval; return true;
    case kMip: v = mip.load(std::memory_order_relaxed); return true;
    case kMcycle: v = instret + csr.cycle_base; return true;
    case kMinstret: v = instret; return true;
    case kTselect: case kTdata1: case kTdata2: case kTdata3: v = 0; return true;  // no triggers
    default: break;
  }
  if (num >= kHpmcounter3 && num <= kHpmcounter31) {
    if (!counter_allowed(num - kCycle)) return false;
    v = 0;
    return true;
  }
  if ((num >= kMhpmcounter3 && num <= kMhpmcounter31) || (num >= kMhpmevent3 && num <= kMhpmevent31)) {
    v = 0;
    return true;
  }
  if (num >= kPmpcfg0 && num <= kPmpcfg15) {
    if (num & 1) return false;  // odd pmpcfg registers do not exist on RV64
    const unsigned first = (num - kPmpcfg0) * 4;
    v = 0;
    for (unsigned i = 0; i < 8 && first + i < kPmpEntries; ++i) v |= static_cast<uint64_t>(csr.pmpcfg[first + i]) << (8 * i);
    return true;
  }
  if (num >= kPmpaddr0 && num <= kPmpaddr63) {
    const unsigned i = num - kPmpaddr0;
    v = i < kPmpEntries ? csr.pmpaddr[i] : 0;
    return true;
  }
  return false;
}

bool Hart::csr_write(uint16_t num, uint64_t v) {
  using namespace csr;
  switch (num) {
    case kFflags: if (!fp_enabled()) return false; csr.fflags = v & 0x1f; fp_dirty(); return true;
    case kFrm: if (!fp_enabled()) return false; csr.frm = v & 7; fp_dirty(); return true;
    case kFcsr:
      if (!fp_enabled()) return false;
      csr.fflags = v & 0x1f;
      csr.frm = (v >> 5) & 7;
      fp_dirty();
      return true;
    case kSstatus:
      v = (csr.mstatus & ~kSstatusWritable) | (v & kSstatusWritable);
      [[fallthrough]];
    case kMstatus: {
      const uint64_t old = csr.mstatus;
      uint64_t s = (old & ~kMstatusWritable) | (v & kMstatusWritable);
      if (((s >> kMPPShift) & 3) == 2) s = (s & ~kMPP) | (old & kMPP);  // MPP=2 is reserved
      csr.mstatus = s;
      if ((old ^ s) & kMXR) flush_tlb();
      update_tlb_context();
      // Only an interrupt this write makes takeable needs the batch to end now; the kernel
      // saves and restores SIE around every spinlock.
      if (pending_enabled_interrupts()) end_batch = true;
      return true;
    }
    case kSie: {
      const uint64_t mask = csr.mideleg & irq::kSupervisorMask;
      csr.mie = (csr.mie & ~mask) | (v & mask);
      end_batch = true;
      return true;
    }
    case kStvec: csr.stvec = legal_tvec(csr.stvec, v); return true;
    case kScounteren: csr.scounteren = v & 0xffffffff; return true;
    case kSenvcfg: csr.senvcfg = legal_envcfg(csr.senvcfg, v, envcfg_mask(*this, false)); return true;
    case kSscratch: csr.sscratch = v; return true;
    case kSepc: csr.sepc = v & ~1ull; return true;
    case kScause: csr.scause = v; return true;
    case kStval: csr.stval = v; return true;
    case kSip: {
      const uint64_t mask = csr.mideleg & irq::kSSIP;
      set_pending(mask & v, true);
      set_pending(mask & ~v, false);
      end_batch = true;
      return true;
    }
    case kStimecmp:
      if (priv == Priv::Supervisor && (!(csr.menvcfg & kMenvcfgSTCE) || !(csr.mcounteren & 2))) return false;
      csr.stimecmp = v;
      update_timer_interrupts();
      end_batch = true;
      return true;
    case kSatp: {
      if (priv == Priv::Supervisor && (csr.mstatus & kTVM)) return false;
      const uint64_t mode = v >> 60;
      if (mode != 0 && mode != 8 && mode != 9 && mode != 10) return true;  // unsupported mode: no effect
      csr.satp = v;  // all 16 ASID bits and 44 PPN bits are implemented
      flush_tlb();
      return true;
    }
    case kMisa: return true;  // WARL: the extension set is fixed, writes are ignored
    case kMedeleg: csr.medeleg = v & kDelegableExceptions; return true;
    case kMideleg: csr.mideleg = v & irq::kSupervisorMask; end_batch = true; return true;
    case kMie: csr.mie = v & irq::kAllMask; end_batch = true; return true;
    case kMtvec: csr.mtvec = legal_tvec(csr.mtvec, v); return true;
    case kMcounteren: csr.mcounteren = v & 0xffffffff; return true;
    case kMenvcfg: {
      const uint64_t old = csr.menvcfg;
      csr.menvcfg = legal_envcfg(old, v, envcfg_mask(*this, true));
      if ((old ^ csr.menvcfg) & envcfg::kPBMTE) flush_tlb();  // PTEs with PBMT bits change meaning
      update_timer_interrupts();
      end_batch = true;
      return true;
    }
    case kMcountinhibit: csr.mcountinhibit = v & 5; return true;
    case kMscratch: csr.mscratch = v; return true;
    case kMepc: csr.mepc = v & ~1ull; return true;
    case kMcause: csr.mcause = v; return true;
    case kMtval: csr.mtval = v; return true;
    case kMip: {
      // SSIP, SEIP and (without Sstc) STIP are software-writable; the rest follow devices.
      uint64_t mask = irq::kSSIP | irq::kSEIP | ((csr.menvcfg & kMenvcfgSTCE) ? 0 : irq::kSTIP);
      set_pending(mask & v, true);
      set_pending(mask & ~v, false);
      end_batch = true;
      return true;
    }
    // The instruction writing a counter does not count itself: the retire increment follows.
    case kMcycle: csr.cycle_base = v - (instret + 1); return true;
    case kMinstret: {
      const uint64_t cycle = instret + csr.cycle_base;
      instret = v - 1;
      csr.cycle_base = cycle - instret;
      return true;
    }
    case kTselect: case kTdata1: case kTdata2: case kTdata3: return true;
    default: break;
  }
  if ((num >= kMhpmcounter3 && num <= kMhpmcounter31) || (num >= kMhpmevent3 && num <= kMhpmevent31)) return true;
  if (num >= kPmpcfg0 && num <= kPmpcfg15) {
    if (num & 1) return false;
    const unsigned first = (num - kPmpcfg0) * 4;
    for (unsigned i = 0; i < 8 && first + i < kPmpEntries; ++i) {
      uint8_t& cfg = csr.pmpcfg[first + i];
      const uint8_t nv = (v >> (8 * i)) & 0x9f;  // bits 6:5 are reserved
      if (cfg & 0x80) continue;                  // locked
      if ((nv & 3) == 2) continue;               // W without R is reserved: keep the old value
      cfg = nv;
    }
    return true;
  }
  if (num >= kPmpaddr0 && num <= kPmpaddr63) {
    const unsigned i = num - kPmpaddr0;
    if (i >= kPmpEntries) return true;
    const bool locked = (csr.pmpcfg[i] & 0x80) ||
                        (i + 1 < kPmpEntries && (csr.pmpcfg[i + 1] & 0x80) && ((csr.pmpcfg[i + 1] >> 3) & 3) == 1);
    if (!locked) csr.pmpaddr[i] = v & ((1ull << 54) - 1);
    return true;
  }
  return false;
}

}  // namespace vessel::riscv
