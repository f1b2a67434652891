#include "machine/sbi.h"

#include <vector>

#include "cpu/riscv/memory_access.h"

namespace vessel::machine {
namespace {

enum : uint64_t {
  kExtBase = 0x10, kExtTime = 0x54494D45, kExtIpi = 0x735049, kExtRfence = 0x52464E43, kExtHsm = 0x48534D,
  kExtSrst = 0x53525354, kExtDbcn = 0x4442434E,
  kLegacySetTimer = 0, kLegacyPutchar = 1, kLegacyGetchar = 2, kLegacyClearIpi = 3, kLegacySendIpi = 4,
  kLegacyRemoteFenceI = 5, kLegacyRemoteSfence = 6, kLegacyRemoteSfenceAsid = 7, kLegacyShutdown = 8,
};
constexpr uint64_t kSpecVersion = 2ull << 24;  // SBI 2.0
constexpr uint64_t kImplId = 0x7665;             // "ve"ssel (not a registered id)
constexpr uint64_t kImplVersion = 1;
constexpr uint64_t kA0 = 10, kA1 = 11, kA2 = 12, kA6 = 16, kA7 = 17;

bool supported_extension(uint64_t eid) {
  switch (eid) {
    case kExtBase: case kExtTime: case kExtIpi: case kExtRfence: case kExtHsm: case kExtSrst: case kExtDbcn:
      return true;
    default:
      return eid <= kLegacyShutdown;
  }
}

}  // namespace

void SbiFirmware::prepare_hart(riscv::Hart& h) {
  using namespace riscv;
  // Everything a supervisor can handle goes to it; ECALL from S is served here.
  h.csr.medeleg = 0xB3FF & ~(1ull << static_cast<unsigned>(Exception::EcallFromS));
  h.csr.mideleg = irq::kSupervisorMask;
  h.csr.mcounteren = 7;           // cycle, time, instret readable from S...
  h.csr.scounteren = 7;           // ...and from U, as OpenSBI sets up (the vDSO reads time)
  // Sstc: the supervisor may program stimecmp itself. Like OpenSBI, enable what the
  // extensions offer: cache-block operations (CBIE = invalidate) and page-based memory types.
  uint64_t envcfg = envcfg::kSTCE;
  if (h.has(Ext::Zicbom)) envcfg |= envcfg::kCBIE | envcfg::kCBCFE;
  if (h.has(Ext::Zicboz)) envcfg |= envcfg::kCBZE;
  if (h.has(Ext::Svpbmt)) envcfg |= envcfg::kPBMTE;
  h.csr.menvcfg = envcfg;
  h.csr.stimecmp = ~0ull;
  h.csr.mstatus = (h.csr.mstatus & ~mstatus::kFS) | (1ull << mstatus::kFSShift);  // FPU on, state Initial
}

bool SbiFirmware::hart_targets(uint64_t mask, uint64_t base, uint64_t& targets) const {
  const unsigned n = platform_.hart_count();
  if (base == ~0ull) {  // all harts
    targets = n >= 64 ? ~0ull : ((1ull << n) - 1);
    return true;
  }
  targets = 0;
  for (unsigned b = 0; b < 64; ++b) {
    if (!((mask >> b) & 1)) continue;
    const uint64_t id = base + b;
    if (id >= n) return false;
    targets |= 1ull << id;
  }
  return true;
}

SbiFirmware::Ret SbiFirmware::base(riscv::Hart& h, uint64_t fid) {
  switch (fid) {
    case 0: return {kSbiSuccess, static_cast<int64_t>(kSpecVersion)};
    case 1: return {kSbiSuccess, static_cast<int64_t>(kImplId)};
    case 2: return {kSbiSuccess, static_cast<int64_t>(kImplVersion)};
    case 3: return {kSbiSuccess, supported_extension(h.x[kA0]) ? 1 : 0};
    case 4: case 5: case 6: return {kSbiSuccess, 0};  // mvendorid, marchid, mimpid
    default: return {kSbiErrNotSupported, 0};
  }
}

SbiFirmware::Ret SbiFirmware::ipi(riscv::Hart&, uint64_t mask, uint64_t base) {
  uint64_t targets;
  if (!hart_targets(mask, base, targets)) return {kSbiErrInvalidParam, 0};
  for (unsigned id = 0; id < platform_.hart_count(); ++id)
    if ((targets >> id) & 1) platform_.hart(id).set_pending(riscv::irq::kSSIP, true);
  return {kSbiSuccess, 0};
}

SbiFirmware::Ret SbiFirmware::rfence(riscv::Hart& h, uint64_t fid, uint64_t mask, uint64_t base) {
  uint64_t targets;
  if (!hart_targets(mask, base, targets)) return {kSbiErrInvalidParam, 0};
  switch (fid) {
    case 0: platform_.remote_fence_i(targets, h); return {kSbiSuccess, 0};
    case 1: case 2: platform_.remote_sfence(targets, h); return {kSbiSuccess, 0};  // flushes are whole-TLB
    default: return {kSbiErrNotSupported, 0};  // hypervisor fences: no H extension
  }
}

SbiFirmware::Ret SbiFirmware::hsm(riscv::Hart& h, uint64_t fid) {
  const uint64_t a0 = h.x[kA0];
  switch (fid) {
    case 0:  // hart_start(hartid, start_addr, opaque)
      if (a0 >= platform_.hart_count()) return {kSbiErrInvalidParam, 0};
      if (!h.as.ram_ptr(h.x[kA1], 4)) return {kSbiErrInvalidAddress, 0};
      return {platform_.hart_start(static_cast<unsigned>(a0), h.x[kA1], h.x[kA2]), 0};
    case 1:  // hart_stop()
      platform_.hart_stop(h);
      return {kSbiSuccess, 0};
    case 2:  // hart_get_status(hartid)
      if (a0 >= platform_.hart_count()) return {kSbiErrInvalidParam, 0};
      return {kSbiSuccess, static_cast<int64_t>(platform_.hart_state(static_cast<unsigned>(a0)))};
    case 3: {  // hart_suspend(type, resume_addr, opaque)
      const uint64_t type = a0 & 0xffffffff;
      if (type == 0) {  // default retentive suspend: behaves as WFI
        h.waiting = true;
        h.end_batch = true;
        return {kSbiSuccess, 0};
      }
      if (type == 0x80000000) {  // default non-retentive: resume at resume_addr like a fresh start
        if (!h.as.ram_ptr(h.x[kA1], 4)) return {kSbiErrInvalidAddress, 0};
        h.waiting = true;
        h.end_batch = true;
        h.next_pc = h.x[kA1];
        h.x[kA0] = h.hartid;
        h.x[kA1] = h.x[kA2];
        h.csr.satp = 0;
        h.csr.mstatus &= ~riscv::mstatus::kSIE;
        h.flush_tlb();
        return {kSbiSuccess, 0, true};
      }
      return {kSbiErrInvalidParam, 0};
    }
    default: return {kSbiErrNotSupported, 0};
  }
}

SbiFirmware::Ret SbiFirmware::srst(riscv::Hart&, uint64_t type, uint64_t reason) {
  if (reason > 1 && reason < 0xE0000000) return {kSbiErrInvalidParam, 0};
  switch (type) {
    case 0: platform_.system_reset(SbiPlatform::Reset::Shutdown); return {kSbiSuccess, 0};
    case 1: platform_.system_reset(SbiPlatform::Reset::ColdReboot); return {kSbiSuccess, 0};
    case 2: platform_.system_reset(SbiPlatform::Reset::WarmReboot); return {kSbiSuccess, 0};
    default: return {kSbiErrInvalidParam, 0};
  }
}

SbiFirmware::Ret SbiFirmware::dbcn(riscv::Hart& h, uint64_t fid) {
  // On RV64 the whole physical address is in base_lo; base_hi must be zero.
  const uint64_t len = h.x[kA0], addr = h.x[kA1];
  switch (fid) {
    case 0: {  // console_write(num_bytes, base_lo, base_hi)
      const uint8_t* p = h.as.ram_ptr(addr, len);
      if (!p || h.x[kA2] != 0) return {kSbiErrInvalidParam, 0};
      platform_.console_write(p, len);
      return {kSbiSuccess, static_cast<int64_t>(len)};
    }
    case 1: {  // console_read(num_bytes, base_lo, base_hi)
      uint8_t* p = h.as.ram_ptr(addr, len);
      if (!p || h.x[kA2] != 0) return {kSbiErrInvalidParam, 0};
      uint64_t n = 0;
      for (int c; n < len && (c = platform_.console_read()) >= 0; ++n) p[n] = static_cast<uint8_t>(c);
      h.as.ram().mark_dirty(addr, n);
      return {kSbiSuccess, static_cast<int64_t>(n)};
    }
    case 2: {  // console_write_byte(byte)
      const uint8_t b = static_cast<uint8_t>(h.x[kA0]);
      platform_.console_write(&b, 1);
      return {kSbiSuccess, 0};
    }
    default: return {kSbiErrNotSupported, 0};
  }
}

SbiFirmware::Ret SbiFirmware::legacy(riscv::Hart& h, uint64_t eid, bool& only_a0) {
  only_a0 = true;
  const uint64_t a0 = h.x[kA0];
  // Legacy calls take a pointer to a hart mask in S-mode memory.
  auto read_mask = [&](uint64_t& mask) {
    if (a0 == 0) {
      mask = ~0ull;
      return true;
    }
    return riscv::load(h, a0, mask);
  };
  uint64_t mask;
  switch (eid) {
    case kLegacySetTimer:
      h.csr.stimecmp = a0;
      h.update_timer_interrupts();
      return {0, 0};
    case kLegacyPutchar: {
      const uint8_t b = static_cast<uint8_t>(a0);
      platform_.console_write(&b, 1);
      return {0, 0};
    }
    case kLegacyGetchar: return {platform_.console_read(), 0};
    case kLegacyClearIpi: h.set_pending(riscv::irq::kSSIP, false); return {0, 0};
    case kLegacySendIpi:
      if (!read_mask(mask)) return {kSbiErrInvalidAddress, 0};
      return ipi(h, mask, 0);
    case kLegacyRemoteFenceI:
    case kLegacyRemoteSfence:
    case kLegacyRemoteSfenceAsid:
      if (!read_mask(mask)) return {kSbiErrInvalidAddress, 0};
      return rfence(h, eid == kLegacyRemoteFenceI ? 0 : 1, mask, 0);
    case kLegacyShutdown: platform_.system_reset(SbiPlatform::Reset::Shutdown); return {0, 0};
    default: return {kSbiErrNotSupported, 0};
  }
}

bool SbiFirmware::supervisor_ecall(riscv::Hart& h) {
  calls_.fetch_add(1, std::memory_order_relaxed);
  const uint64_t eid = h.x[kA7], fid = h.x[kA6];
  bool only_a0 = false;
  Ret r{kSbiErrNotSupported, 0};
  switch (eid) {
    case kExtBase: r = base(h, fid); break;
    case kExtTime:
      if (fid == 0) {
        h.csr.stimecmp = h.x[kA0];
        h.update_timer_interrupts();
        r = {kSbiSuccess, 0};
      }
      break;
    case kExtIpi: r = fid == 0 ? ipi(h, h.x[kA0], h.x[kA1]) : Ret{kSbiErrNotSupported, 0}; break;
    case kExtRfence: r = rfence(h, fid, h.x[kA0], h.x[kA1]); break;
    case kExtHsm: r = hsm(h, fid); break;
    case kExtSrst: r = fid == 0 ? srst(h, h.x[kA0], h.x[kA1]) : Ret{kSbiErrNotSupported, 0}; break;
    case kExtDbcn: r = dbcn(h, fid); break;
    default:
      if (eid <= kLegacyShutdown) r = legacy(h, eid, only_a0);
      break;
  }
  h.end_batch = true;
  if (h.trapped || r.registers_set) return true;  // a fault is being delivered, or a0/a1 already hold the entry state
  h.x[kA0] = static_cast<uint64_t>(r.error);
  if (!only_a0) h.x[kA1] = static_cast<uint64_t>(r.value);
  return true;
}

}  // namespace vessel::machine
