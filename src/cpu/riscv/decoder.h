// Instruction encodings as data (ARCHITECTURE.md example 2): one table per extension,
// each row a bit pattern and its handler. The same table drives the interpreter's dispatch
// and, later, the JIT's frontend.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "cpu/riscv/isa_profile.h"

namespace vessel::riscv {

class Hart;
using Handler = void (*)(Hart&, uint32_t insn);

struct Encoding {
  const char* name;
  uint32_t mask;
  uint32_t match;
  Handler handler;
};

// Parses a pattern such as "0000000 ????? ????? 000 ????? 0110011" (spaces ignored, '?' = any bit).
consteval Encoding encoding(const char* name, const char* pattern, Handler handler) {
  uint32_t mask = 0, match = 0;
  unsigned count = 0;
  for (const char* p = pattern; *p; ++p) {
    if (*p == ' ') continue;
    ++count;
    mask <<= 1;
    match <<= 1;
    if (*p == '0' || *p == '1') mask |= 1;
    if (*p == '1') match |= 1;
  }
  if (count != 32) throw "an encoding pattern must have exactly 32 bits";
  return Encoding{name, mask, match, handler};
}

// Per-extension tables (isa_*.cpp).
std::span<const Encoding> rv64i_encodings();
std::span<const Encoding> rv64m_encodings();
std::span<const Encoding> rv64a_encodings();
std::span<const Encoding> rv64f_encodings();
std::span<const Encoding> rv64d_encodings();
std::span<const Encoding> system_encodings();  // Zicsr, Zifencei, privileged instructions
std::span<const Encoding> zba_encodings();     // isa_b.cpp
std::span<const Encoding> zbb_encodings();
std::span<const Encoding> zbs_encodings();
std::span<const Encoding> zicond_encodings();  // isa_zicond.cpp
std::span<const Encoding> zicbom_encodings();  // isa_cmo.cpp
std::span<const Encoding> zicboz_encodings();
std::span<const Encoding> zfhmin_encodings();  // isa_zfh.cpp
std::span<const Encoding> zfa_encodings();     // isa_zfa.cpp
std::span<const Encoding> zimop_encodings();   // isa_zimop.cpp
std::span<const Encoding> zawrs_encodings();   // isa_zawrs.cpp
std::span<const Encoding> svinval_encodings(); // isa_svinval.cpp

// Every table, with the extension that enables it. `system`: privileged or CSR
// instructions that may change privilege, translation or interrupts (they end a block).
struct EncodingTable {
  std::span<const Encoding> rows;
  std::optional<Ext> ext;  // nullopt: RV64GC, always decoded
  bool system = false;
};
std::span<const EncodingTable> encoding_tables();

// RVC: expands a 16-bit instruction to its 32-bit equivalent; 0 for a reserved/illegal
// encoding. `ext` enables Zcb and Zcmop.
uint32_t expand_compressed(uint16_t insn, ExtSet ext);

class Decoder {
 public:
  explicit Decoder(ExtSet ext);
  // The encoding of a 32-bit instruction, or nullptr if illegal.
  const Encoding* find(uint32_t insn) const;
  // 32-bit equivalent of a compressed instruction (0 = illegal), from a precomputed table.
  uint32_t expand(uint16_t insn) const { return compressed_[insn]; }

  ExtSet extensions() const { return ext_; }

  // The decoder of a CPU profile (one per profile, built on first use).
  static const Decoder& for_cpu(CpuProfile cpu);
  // Everything implemented (kFullCpu).
  static const Decoder& instance() { return for_cpu(kFullCpu); }

 private:
  static unsigned bucket(uint32_t insn) { return ((insn >> 2) & 31) << 3 | ((insn >> 12) & 7); }
  std::array<std::vector<const Encoding*>, 256> buckets_;
  std::vector<uint32_t> compressed_;
  ExtSet ext_;
};

}  // namespace vessel::riscv
