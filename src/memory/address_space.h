// The guest physical address space: RAM plus MMIO windows.
// The CPU knows this interface only; devices register themselves here.
#pragma once
#include <atomic>
#include <cstdint>
#include <vector>

#include "memory/guest_ram.h"
#include "memory/mmio.h"

namespace vessel::memory {

struct MmioRegion {
  uint64_t base;
  uint64_t size;
  MmioDevice* device;
};

class AddressSpace {
 public:
  GuestRam& ram() { return ram_; }
  const GuestRam& ram() const { return ram_; }

  // Registers a device window; regions must not overlap (returns false if they do).
  [[nodiscard]] bool add_mmio(uint64_t base, uint64_t size, MmioDevice* device);

  // Host pointer for [paddr, paddr+len) if it lies entirely in RAM, else nullptr.
  uint8_t* ram_ptr(uint64_t paddr, uint64_t len) const {
    return ram_.contains(paddr, len) ? ram_.at(paddr) : nullptr;
  }

  const MmioRegion* find_mmio(uint64_t paddr) const;

  // Physical accesses for the page-table walker and slow paths. False: no RAM and no device.
  [[nodiscard]] bool read(uint64_t paddr, unsigned size, uint64_t& value) const;
  [[nodiscard]] bool write(uint64_t paddr, unsigned size, uint64_t value) const;
  // Device register accesses so far (an "exit" in the VM's metrics).
  uint64_t mmio_accesses() const { return mmio_accesses_.load(std::memory_order_relaxed); }

 private:
  GuestRam ram_;
  std::vector<MmioRegion> mmio_;  // sorted by base
  mutable std::atomic<uint64_t> mmio_accesses_{0};
};

}  // namespace vessel::memory
