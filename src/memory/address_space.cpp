#include "memory/address_space.h"

#include <algorithm>
#include <cstring>

namespace vessel::memory {

bool AddressSpace::add_mmio(uint64_t base, uint64_t size, MmioDevice* device) {
  for (const auto& r : mmio_)
    if (base < r.base + r.size && r.base < base + size) return false;
  mmio_.push_back({base, size, device});
  std::sort(mmio_.begin(), mmio_.end(), [](const MmioRegion& a, const MmioRegion& b) { return a.base < b.base; });
  return true;
}

const MmioRegion* AddressSpace::find_mmio(uint64_t paddr) const {
  for (const auto& r : mmio_)
    if (paddr >= r.base && paddr - r.base < r.size) return &r;
  return nullptr;
}

bool AddressSpace::read(uint64_t paddr, unsigned size, uint64_t& value) const {
  if (uint8_t* p = ram_ptr(paddr, size)) {
    value = 0;
    memcpy(&value, p, size);
    return true;
  }
  const MmioRegion* r = find_mmio(paddr);
  if (!r || paddr - r->base > r->size - size) return false;
  mmio_accesses_.fetch_add(1, std::memory_order_relaxed);
  return r->device->read(paddr - r->base, size, value);
}

bool AddressSpace::write(uint64_t paddr, unsigned size, uint64_t value) const {
  if (uint8_t* p = ram_ptr(paddr, size)) {
    memcpy(p, &value, size);
    ram_.mark_dirty(paddr, size);
    return true;
  }
  const MmioRegion* r = find_mmio(paddr);
  if (!r || paddr - r->base > r->size - size) return false;
  mmio_accesses_.fetch_add(1, std::memory_order_relaxed);
  return r->device->write(paddr - r->base, size, value);
}

}  // namespace vessel::memory
