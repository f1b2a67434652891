// The guest platform's memory map (QEMU `virt`-compatible), as one table.
#pragma once
#include <cstdint>

namespace vessel::machine {

struct MemoryRegion {
  const char* name;
  uint64_t base;
  uint64_t size;
};

namespace map {
constexpr MemoryRegion kTest{"test", 0x0010'0000, 0x1000};
constexpr MemoryRegion kRtc{"rtc", 0x0010'1000, 0x1000};
constexpr MemoryRegion kClint{"clint", 0x0200'0000, 0x1'0000};
constexpr MemoryRegion kPciePio{"pcie-pio", 0x0300'0000, 0x1'0000};
constexpr MemoryRegion kPlic{"plic", 0x0c00'0000, 0x60'0000};
constexpr MemoryRegion kUart0{"uart0", 0x1000'0000, 0x100};
constexpr MemoryRegion kVirtio{"virtio", 0x1000'1000, 0x1000};  // slot n at base + n * size
constexpr unsigned kVirtioSlots = 8;
constexpr MemoryRegion kPcieEcam{"pcie-ecam", 0x3000'0000, 0x1000'0000};  // buses 0..255
constexpr MemoryRegion kPcieMmio{"pcie-mmio", 0x4000'0000, 0x4000'0000};
constexpr uint64_t kDramBase = 0x8000'0000;
// The 64-bit PCI memory window lies above RAM, aligned to its size (QEMU virt, 64-bit harts).
constexpr uint64_t kPcieMmioHighSize = 0x4'0000'0000;
constexpr MemoryRegion pcie_mmio_high(uint64_t ram_bytes) {
  return {"pcie-mmio-high", (kDramBase + ram_bytes + kPcieMmioHighSize - 1) & ~(kPcieMmioHighSize - 1),
          kPcieMmioHighSize};
}
}  // namespace map

}  // namespace vessel::machine
