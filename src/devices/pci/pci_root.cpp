#include "devices/pci/pci_root.h"

#include <mutex>

#include "devices/pci/host_bridge.h"

namespace vessel::devices::pci {
namespace {

uint64_t all_ones(unsigned size) { return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1; }

}  // namespace

PciRoot::PciRoot(const PciLayout& layout, InterruptController* irq_controller)
    : layout_(layout), intx_(irq_controller, layout.first_irq), mmio_region_(*this, layout.mmio.base),
      mmio_high_region_(*this, layout.mmio_high.base) {
  slots_[0] = std::make_unique<HostBridge>();
}

bool PciRoot::map(memory::AddressSpace& as) {
  if (!as.add_mmio(layout_.ecam.base, layout_.ecam.size, &ecam_region_)) return false;
  if (!as.add_mmio(layout_.pio.base, layout_.pio.size, &pio_region_)) return false;
  if (!as.add_mmio(layout_.mmio.base, layout_.mmio.size, &mmio_region_)) return false;
  if (layout_.mmio_high.size && !as.add_mmio(layout_.mmio_high.base, layout_.mmio_high.size, &mmio_high_region_))
    return false;
  return true;
}

std::optional<unsigned> PciRoot::free_slot() const {
  for (unsigned s = 0; s < kSlots; ++s)
    if (!slots_[s]) return s;
  return std::nullopt;
}

void PciRoot::attach(unsigned slot, std::unique_ptr<PciFunction> function) {
  if (slot < kSlots && !slots_[slot]) slots_[slot] = std::move(function);
}

PciFunction* PciRoot::config_target(uint64_t offset) const {
  const uint64_t bus = offset >> 20, device = (offset >> 15) & 31, function = (offset >> 12) & 7;
  if (bus != 0 || function != 0) return nullptr;  // one bus, single-function devices
  return slots_[device].get();
}

bool PciRoot::ecam_read(uint64_t offset, unsigned size, uint64_t& value) {
  if (size == 8) {  // two dwords, low first
    uint64_t lo, hi;
    ecam_read(offset, 4, lo);
    ecam_read(offset + 4, 4, hi);
    value = (lo & 0xffffffffull) | (hi << 32);
    return true;
  }
  PciFunction* f = config_target(offset);
  const unsigned reg = offset & 0xfff;
  // Absent functions and misaligned accesses read as all ones, like a master abort.
  value = f && reg % size == 0 ? f->config_read(reg, size) : all_ones(size);
  return true;
}

bool PciRoot::ecam_write(uint64_t offset, unsigned size, uint64_t value) {
  if (size == 8) {
    ecam_write(offset, 4, value & 0xffffffffull);
    return ecam_write(offset + 4, 4, value >> 32);
  }
  PciFunction* f = config_target(offset);
  const unsigned reg = offset & 0xfff;
  if (!f || reg % size != 0) return true;
  f->config_write(reg, size, static_cast<uint32_t>(value));
  // Only the command register and the BARs change what is decoded.
  if (reg < cfg::kBar0 + 4 * ConfigSpace::kBars && reg + size > cfg::kCommand) update_decoding();
  return true;
}

void PciRoot::update_decoding() {
  std::unique_lock lock(decode_mutex_);  // two updates at once must not publish a stale view
  std::vector<Decoded> decoded;
  for (auto& f : slots_) {
    if (!f || !f->config().memory_enabled()) continue;
    for (unsigned bar = 0; bar < ConfigSpace::kBars; ++bar) {
      const uint64_t size = f->config().bar_size(bar), base = f->config().bar_address(bar);
      if (size == 0 || base == 0) continue;
      if (layout_.mmio.contains(base, size) || layout_.mmio_high.contains(base, size))
        decoded.push_back({base, size, f.get(), bar});
    }
  }
  decoded_ = std::move(decoded);
}

std::optional<PciRoot::Decoded> PciRoot::decode(uint64_t address, unsigned size) const {
  std::shared_lock lock(decode_mutex_);
  for (const Decoded& d : decoded_)  // overlapping BARs: the lowest slot wins
    if (address >= d.base && address - d.base <= d.size - size) return d;
  return std::nullopt;
}

bool PciRoot::memory_read(uint64_t address, unsigned size, uint64_t& value) {
  const auto d = decode(address, size);
  if (!d) {
    value = all_ones(size);
    return true;
  }
  return d->function->bar_read(d->bar, address - d->base, size, value);
}

bool PciRoot::memory_write(uint64_t address, unsigned size, uint64_t value) {
  const auto d = decode(address, size);
  if (!d) return true;
  return d->function->bar_write(d->bar, address - d->base, size, value);
}

}  // namespace vessel::devices::pci
