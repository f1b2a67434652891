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
constexpr MemoryRegion kPlic{"plic", 0x0c00'0000, 0x60'0000};
constexpr MemoryRegion kUart0{"uart0", 0x1000'0000, 0x100};
constexpr MemoryRegion kVirtio{"virtio", 0x1000'1000, 0x1000};  // slot n at base + n * size
constexpr unsigned kVirtioSlots = 8;
constexpr uint64_t kDramBase = 0x8000'0000;
}  // namespace map

}  // namespace vessel::machine
