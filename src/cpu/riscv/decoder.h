// Instruction encodings as data (ARCHITECTURE.md example 2): one table per extension,
// each row a bit pattern and its handler. The same table drives the interpreter's dispatch
// and, later, the JIT's frontend.
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <vector>

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

// RVC: expands a 16-bit instruction to its 32-bit equivalent; 0 for a reserved/illegal encoding.
uint32_t expand_compressed(uint16_t insn);

class Decoder {
 public:
  Decoder();
  // The encoding of a 32-bit instruction, or nullptr if illegal.
  const Encoding* find(uint32_t insn) const;
  // 32-bit equivalent of a compressed instruction (0 = illegal), from a precomputed table.
  uint32_t expand(uint16_t insn) const { return compressed_[insn]; }

  static const Decoder& instance();

 private:
  static unsigned bucket(uint32_t insn) { return ((insn >> 2) & 31) << 3 | ((insn >> 12) & 7); }
  std::array<std::vector<const Encoding*>, 256> buckets_;
  std::vector<uint32_t> compressed_;
};

}  // namespace vessel::riscv
