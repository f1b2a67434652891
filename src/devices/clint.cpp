#include "devices/clint.h"

#include <cstdio>

namespace vessel::devices {
namespace {

// Merges a 4- or 8-byte access at byte offset `shift` of a 64-bit register.
uint64_t merge(uint64_t old, unsigned shift, unsigned size, uint64_t value) {
  const uint64_t mask = (size == 8 ? ~0ull : ((1ull << (8 * size)) - 1)) << (8 * shift);
  return (old & ~mask) | ((value << (8 * shift)) & mask);
}

}  // namespace

bool Clint::read(uint64_t off, unsigned size, uint64_t& value) {
  if (size != 4 && size != 8) return false;
  if (off < kMsip + 4 * harts_.size()) {
    const auto* h = harts_[(off - kMsip) / 4];
    value = (h->mip.load(std::memory_order_relaxed) >> riscv::irq::kMSI) & 1;
    return true;
  }
  uint64_t reg;
  unsigned shift;
  if (off >= kMtimecmp && off < kMtimecmp + 8 * harts_.size()) {
    reg = harts_[(off - kMtimecmp) / 8]->mtimecmp.load(std::memory_order_relaxed);
    shift = off & 7;
  } else if (off >= kMtime && off < kMtime + 8) {
    reg = timebase_.now();
    shift = off - kMtime;
  } else {
    value = 0;  // unimplemented registers read as zero
    return true;
  }
  if (shift + size > 8) return false;
  value = (reg >> (8 * shift)) & (size == 8 ? ~0ull : 0xffffffffull);
  return true;
}

bool Clint::write(uint64_t off, unsigned size, uint64_t value) {
  if (size != 4 && size != 8) return false;
  if (off < kMsip + 4 * harts_.size()) {
    harts_[(off - kMsip) / 4]->set_pending(riscv::irq::kMSIP, value & 1);
    return true;
  }
  if (off >= kMtimecmp && off < kMtimecmp + 8 * harts_.size()) {
    const unsigned shift = off & 7;
    if (shift + size > 8) return false;
    riscv::Hart* h = harts_[(off - kMtimecmp) / 8];
    h->mtimecmp.store(merge(h->mtimecmp.load(std::memory_order_relaxed), shift, size, value),
                      std::memory_order_relaxed);
    // The hart recomputes MTIP itself; wake it in case it sleeps towards an old deadline.
    const bool pending = timebase_.now() >= h->mtimecmp.load(std::memory_order_relaxed);
    h->set_pending(riscv::irq::kMTIP, pending);
    return true;
  }
  if (off >= kMtime && off < kMtime + 8) {
    const unsigned shift = off - kMtime;
    if (shift + size > 8) return false;
    timebase_.set(merge(timebase_.now(), shift, size, value));
    for (auto* h : harts_) h->wake();
    return true;
  }
  return true;  // writes to unimplemented registers are ignored
}

void Clint::add_fdt_node(FdtBuilder& fdt, const FdtContext& ctx) const {
  char name[64];
  snprintf(name, sizeof name, "clint@%lx", base_);
  fdt.begin_node(name);
  fdt.prop_strings("compatible", {"sifive,clint0", "riscv,clint0"});
  fdt.prop_reg(base_, kSize);
  std::vector<uint32_t> ext;
  for (unsigned h = 0; h < ctx.num_harts; ++h)
    ext.insert(ext.end(), {ctx.cpu_intc_phandles[h], riscv::irq::kMSI, ctx.cpu_intc_phandles[h], riscv::irq::kMTI});
  fdt.prop_cells("interrupts-extended", ext);
  fdt.end_node();
}

}  // namespace vessel::devices
