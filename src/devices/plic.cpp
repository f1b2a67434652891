#include "devices/plic.h"

#include <cstdio>

namespace vessel::devices {
namespace {

constexpr uint64_t kPriorityBase = 0x0, kPendingBase = 0x1000, kEnableBase = 0x2000, kEnableStride = 0x80,
                   kContextBase = 0x200000, kContextStride = 0x1000;

bool test(const std::array<uint32_t, Plic::kSources / 32>& a, unsigned s) { return (a[s / 32] >> (s % 32)) & 1; }
void assign(std::array<uint32_t, Plic::kSources / 32>& a, unsigned s, bool v) {
  if (v)
    a[s / 32] |= 1u << (s % 32);
  else
    a[s / 32] &= ~(1u << (s % 32));
}

}  // namespace

Plic::Plic(uint64_t base, std::vector<riscv::Hart*> harts)
    : base_(base), harts_(std::move(harts)), contexts_(2 * harts_.size()) {}

void Plic::set_irq(unsigned source, bool level) {
  if (source == 0 || source >= kSources) return;
  std::lock_guard lock(mutex_);
  assign(level_, source, level);
  // Gateway: a level interrupt becomes pending while asserted and not in service.
  if (level && !test(claimed_, source)) assign(pending_, source, true);
  if (!level) assign(pending_, source, false);
  update_outputs();
}

unsigned Plic::best_pending(const Context& c) const {
  unsigned best = 0;
  uint32_t best_prio = c.threshold;
  for (unsigned w = 0; w < kWords; ++w) {
    uint32_t bits = pending_[w] & c.enable[w];
    while (bits) {
      const unsigned s = w * 32 + __builtin_ctz(bits);
      bits &= bits - 1;
      if (priority_[s] > best_prio) {  // ties go to the lowest source number
        best_prio = priority_[s];
        best = s;
      }
    }
  }
  return best;
}

void Plic::update_outputs() {
  for (size_t h = 0; h < harts_.size(); ++h) {
    const bool m = best_pending(contexts_[2 * h]) != 0;
    const bool s = best_pending(contexts_[2 * h + 1]) != 0;
    const uint64_t mip = harts_[h]->mip.load(std::memory_order_relaxed);
    if (static_cast<bool>(mip & riscv::irq::kMEIP) != m) harts_[h]->set_pending(riscv::irq::kMEIP, m);
    if (static_cast<bool>(mip & riscv::irq::kSEIP) != s) harts_[h]->set_pending(riscv::irq::kSEIP, s);
  }
}

uint32_t Plic::claim(unsigned ctx) {
  const unsigned s = best_pending(contexts_[ctx]);
  if (s) {
    assign(pending_, s, false);
    assign(claimed_, s, true);
    update_outputs();
  }
  return s;
}

void Plic::complete(unsigned ctx, uint32_t source) {
  if (source == 0 || source >= kSources) return;
  // The spec ignores completions for sources not enabled in this context.
  if (!test(contexts_[ctx].enable, source)) return;
  assign(claimed_, source, false);
  if (test(level_, source)) assign(pending_, source, true);  // still asserted: pending again
  update_outputs();
}

bool Plic::read(uint64_t off, unsigned size, uint64_t& value) {
  if (size != 4) return false;
  std::lock_guard lock(mutex_);
  value = 0;
  if (off < kPendingBase) {
    const unsigned s = static_cast<unsigned>(off / 4);
    if (s < kSources) value = priority_[s];
  } else if (off < kPendingBase + kWords * 4) {
    value = pending_[(off - kPendingBase) / 4];
  } else if (off >= kEnableBase && off < kEnableBase + contexts_.size() * kEnableStride) {
    const unsigned ctx = static_cast<unsigned>((off - kEnableBase) / kEnableStride);
    const unsigned word = static_cast<unsigned>((off - kEnableBase) % kEnableStride / 4);
    if (word < kWords) value = contexts_[ctx].enable[word];
  } else if (off >= kContextBase && off < kContextBase + contexts_.size() * kContextStride) {
    const unsigned ctx = static_cast<unsigned>((off - kContextBase) / kContextStride);
    const uint64_t reg = (off - kContextBase) % kContextStride;
    if (reg == 0) value = contexts_[ctx].threshold;
    else if (reg == 4) value = claim(ctx);
  }
  return true;
}

bool Plic::write(uint64_t off, unsigned size, uint64_t value) {
  if (size != 4) return false;
  std::lock_guard lock(mutex_);
  const uint32_t v = static_cast<uint32_t>(value);
  if (off < kPendingBase) {
    const unsigned s = static_cast<unsigned>(off / 4);
    if (s > 0 && s < kSources) priority_[s] = v & 7;
  } else if (off >= kEnableBase && off < kEnableBase + contexts_.size() * kEnableStride) {
    const unsigned ctx = static_cast<unsigned>((off - kEnableBase) / kEnableStride);
    const unsigned word = static_cast<unsigned>((off - kEnableBase) % kEnableStride / 4);
    if (word < kWords) contexts_[ctx].enable[word] = word == 0 ? (v & ~1u) : v;  // source 0 does not exist
  } else if (off >= kContextBase && off < kContextBase + contexts_.size() * kContextStride) {
    const unsigned ctx = static_cast<unsigned>((off - kContextBase) / kContextStride);
    const uint64_t reg = (off - kContextBase) % kContextStride;
    if (reg == 0) contexts_[ctx].threshold = v & 7;
    else if (reg == 4) complete(ctx, v);
  } else {
    return true;  // pending bits are read-only; other writes ignored
  }
  update_outputs();
  return true;
}

void Plic::add_fdt_node(FdtBuilder& fdt, const FdtContext& ctx) const {
  char name[64];
  snprintf(name, sizeof name, "plic@%lx", base_);
  fdt.begin_node(name);
  fdt.prop_u32("phandle", phandle);
  fdt.prop_strings("compatible", {"sifive,plic-1.0.0", "riscv,plic0"});
  fdt.prop_reg(base_, kSize);
  fdt.prop_u32("#address-cells", 0);
  fdt.prop_u32("#interrupt-cells", 1);
  fdt.prop_empty("interrupt-controller");
  fdt.prop_u32("riscv,ndev", kSources - 1);
  std::vector<uint32_t> ext;
  for (unsigned h = 0; h < ctx.num_harts; ++h) {
    ext.insert(ext.end(), {ctx.cpu_intc_phandles[h], riscv::irq::kMEI, ctx.cpu_intc_phandles[h], riscv::irq::kSEI});
  }
  fdt.prop_cells("interrupts-extended", ext);
  fdt.end_node();
}

}  // namespace vessel::devices
