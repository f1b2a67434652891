// Places the kernel (Linux Image or ELF), initrd, device tree and optional firmware in guest
// RAM following the layout QEMU `virt` uses, and says where each hart starts.
#pragma once
#include <cstdint>
#include <string>

#include "common/result.h"
#include "memory/address_space.h"

namespace vessel::machine {

struct LoadedKernel {
  uint64_t entry = 0;
  uint64_t start = 0;
  uint64_t end = 0;  // first byte after the image including its bss (Image header image_size)
};

constexpr uint64_t kKernelOffset = 0x20'0000;  // DRAM + 2 MiB, as the Image header asks on RV64

// Linux Image (by its header) or ELF. The Image goes to DRAM + text_offset.
Result<LoadedKernel> load_kernel(const std::string& path, memory::AddressSpace& as);
// What firmware (--bios) starts next: a Linux Image or ELF as load_kernel places them, or
// else a raw binary (U-Boot's u-boot.bin) at DRAM + 2 MiB, as QEMU's -kernel does.
Result<LoadedKernel> load_next_stage(const std::string& path, memory::AddressSpace& as);
// Raw firmware binary (or ELF) at the DRAM base.
Result<LoadedKernel> load_firmware(const std::string& path, memory::AddressSpace& as);
// Copies the initrd into RAM after `not_below`; returns its [start, end).
Result<std::pair<uint64_t, uint64_t>> load_initrd(const std::string& path, memory::AddressSpace& as,
                                                  uint64_t not_below, uint64_t not_above);
// Address for a device tree of `size` bytes: 2 MiB aligned below the end of RAM, as QEMU does,
// leaving room above for firmware that grows the tree in place.
uint64_t device_tree_address(const memory::AddressSpace& as, uint64_t size);

// OpenSBI fw_dynamic hand-off structure (version 2).
struct FwDynamicInfo {
  uint64_t magic = 0x4942534f;  // "OSBI"
  uint64_t version = 2;
  uint64_t next_addr = 0;
  uint64_t next_mode = 1;  // S-mode
  uint64_t options = 0;
  uint64_t boot_hart = 0;
};

}  // namespace vessel::machine
