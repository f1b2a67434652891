// Which ISA a hart implements: the extensions beyond RV64GC, and the named sets of them
// (`--cpu rv64gc|rva22|rva23`) that the device tree, misa and the decoder follow.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vessel::riscv {

// Extensions that can be switched off. RV64IMAFDC, Zicsr, Zifencei, Zicntr, Zihpm and Sstc
// are always there.
enum class Ext : unsigned {
  Zba, Zbb, Zbs, Zicond, Zcb, Zihintpause, Zihintntl, Zimop, Zcmop, Zawrs,
  Zicbom, Zicboz, Zicbop, Zfhmin, Zfa, Zkt, Svpbmt, Svinval, Svnapot,
  Count
};

class ExtSet {
 public:
  constexpr ExtSet() = default;
  constexpr ExtSet(std::initializer_list<Ext> list) {
    for (Ext e : list) bits_ |= bit(e);
  }
  constexpr bool has(Ext e) const { return (bits_ & bit(e)) != 0; }
  constexpr ExtSet with(ExtSet other) const {
    ExtSet s;
    s.bits_ = bits_ | other.bits_;
    return s;
  }
  constexpr bool operator==(const ExtSet&) const = default;

 private:
  static constexpr uint64_t bit(Ext e) { return 1ull << static_cast<unsigned>(e); }
  uint64_t bits_ = 0;
};

enum class CpuProfile : uint8_t { Rv64gc, Rva22, Rva23 };
constexpr CpuProfile kDefaultCpu = CpuProfile::Rva22;

ExtSet extensions_of(CpuProfile cpu);
// Everything implemented (the decoder's unit tests and the differential test use it).
constexpr CpuProfile kFullCpu = CpuProfile::Rva23;

std::optional<CpuProfile> parse_cpu_profile(std::string_view name);
const char* cpu_profile_name(CpuProfile cpu);
// The device tree's view: "rv64imafdc_zicntr_..." and the riscv,isa-extensions list.
std::string isa_string(CpuProfile cpu);
std::vector<std::string> isa_extension_names(CpuProfile cpu);
// misa for the profile (RV64, the single-letter extensions).
uint64_t misa_of(CpuProfile cpu);
// Cache-block size of Zicbom/Zicboz/Zicbop.
constexpr unsigned kCacheBlockBytes = 64;

}  // namespace vessel::riscv
