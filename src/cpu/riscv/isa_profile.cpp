#include "cpu/riscv/isa_profile.h"

namespace vessel::riscv {
namespace {

struct ExtName {
  Ext ext;  // Ext::Count: always implemented
  const char* name;
};
constexpr Ext kAlways = Ext::Count;
// Canonical order of the ISA naming rules: Z extensions by the category letter that follows
// the Z (I, M, A, F, C, B, K), alphabetically within one, then the S extensions.
constexpr ExtName kNames[] = {
    {Ext::Zicbom, "zicbom"}, {Ext::Zicbop, "zicbop"}, {Ext::Zicboz, "zicboz"}, {kAlways, "zicntr"},
    {Ext::Zicond, "zicond"}, {kAlways, "zicsr"}, {kAlways, "zifencei"}, {Ext::Zihintntl, "zihintntl"},
    {Ext::Zihintpause, "zihintpause"}, {kAlways, "zihpm"}, {Ext::Zimop, "zimop"}, {Ext::Zawrs, "zawrs"},
    {Ext::Zfa, "zfa"}, {Ext::Zfhmin, "zfhmin"}, {Ext::Zcb, "zca"}, {Ext::Zcb, "zcb"}, {Ext::Zcb, "zcd"},
    {Ext::Zcmop, "zcmop"}, {Ext::Zba, "zba"}, {Ext::Zbb, "zbb"}, {Ext::Zbs, "zbs"}, {Ext::Zkt, "zkt"},
    {kAlways, "sstc"}, {Ext::Svinval, "svinval"}, {Ext::Svnapot, "svnapot"}, {Ext::Svpbmt, "svpbmt"},
};
// (zca and zcd, which C implies, are named with Zcb, which builds on them.)

constexpr ExtSet kRva22 = {Ext::Zba,    Ext::Zbb,    Ext::Zbs,    Ext::Zihintpause, Ext::Zicbom,  Ext::Zicboz,
                           Ext::Zicbop, Ext::Zfhmin, Ext::Zkt,    Ext::Svpbmt,      Ext::Svinval, Ext::Svnapot};
// RVA23 as far as it goes: no V.
constexpr ExtSet kRva23 =
    kRva22.with({Ext::Zicond, Ext::Zimop, Ext::Zcmop, Ext::Zcb, Ext::Zfa, Ext::Zawrs, Ext::Zihintntl});

}  // namespace

ExtSet extensions_of(CpuProfile cpu) {
  switch (cpu) {
    case CpuProfile::Rv64gc: return {};
    case CpuProfile::Rva22: return kRva22;
    case CpuProfile::Rva23: return kRva23;
  }
  return {};
}

std::optional<CpuProfile> parse_cpu_profile(std::string_view name) {
  if (name == "rv64gc") return CpuProfile::Rv64gc;
  if (name == "rva22") return CpuProfile::Rva22;
  if (name == "rva23") return CpuProfile::Rva23;
  return std::nullopt;
}

const char* cpu_profile_name(CpuProfile cpu) {
  switch (cpu) {
    case CpuProfile::Rv64gc: return "rv64gc";
    case CpuProfile::Rva22: return "rva22";
    case CpuProfile::Rva23: return "rva23";
  }
  return "?";
}

std::vector<std::string> isa_extension_names(CpuProfile cpu) {
  std::vector<std::string> out = {"i", "m", "a", "f", "d", "c"};
  const ExtSet set = extensions_of(cpu);
  for (const ExtName& n : kNames)
    if (n.ext == kAlways || set.has(n.ext)) out.push_back(n.name);
  return out;
}

std::string isa_string(CpuProfile cpu) {
  std::string s = "rv64imafdc";
  const std::vector<std::string> names = isa_extension_names(cpu);
  for (const std::string& n : names)
    if (n.size() > 1) s += "_" + n;
  return s;
}

uint64_t misa_of(CpuProfile cpu) {
  auto letter = [](char c) { return 1ull << (c - 'a'); };
  uint64_t misa = (2ull << 62) | letter('a') | letter('c') | letter('d') | letter('f') | letter('i') | letter('m') |
                  letter('s') | letter('u');
  const ExtSet set = extensions_of(cpu);
  if (set.has(Ext::Zba) && set.has(Ext::Zbb) && set.has(Ext::Zbs)) misa |= letter('b');  // B = Zba+Zbb+Zbs
  return misa;
}

}  // namespace vessel::riscv
