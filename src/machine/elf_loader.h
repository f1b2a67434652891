// Loads a RISC-V ELF64 executable's PT_LOAD segments at their physical addresses.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "memory/address_space.h"

namespace vessel::machine {

struct ElfImage {
  uint64_t entry = 0;
  uint64_t lowest = 0, highest = 0;  // physical range covered by the segments
  std::map<std::string, uint64_t> symbols;
  std::optional<uint64_t> symbol(const std::string& name) const {
    auto it = symbols.find(name);
    return it == symbols.end() ? std::nullopt : std::optional<uint64_t>(it->second);
  }
};

// Checks that `bytes` is a little-endian ELF64 RISC-V executable (error text otherwise).
Result<bool> check_riscv_elf(std::string_view bytes, const std::string& path);
// Reads and validates the file and copies its segments into guest RAM.
Result<ElfImage> load_elf(const std::string& path, memory::AddressSpace& as);

}  // namespace vessel::machine
