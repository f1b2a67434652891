// Field extraction for the standard 32-bit instruction formats.
#pragma once
#include <cstdint>

namespace vessel::riscv::field {

inline unsigned rd(uint32_t i) { return (i >> 7) & 31; }
inline unsigned rs1(uint32_t i) { return (i >> 15) & 31; }
inline unsigned rs2(uint32_t i) { return (i >> 20) & 31; }
inline unsigned rs3(uint32_t i) { return i >> 27; }
inline unsigned funct3(uint32_t i) { return (i >> 12) & 7; }
// Immediates are built in int64_t so that OR-ing in unsigned fields keeps the sign.
inline int64_t signed_top(uint32_t i, unsigned shift) { return static_cast<int64_t>(static_cast<int32_t>(i) >> shift); }
inline int64_t imm_i(uint32_t i) { return signed_top(i, 20); }
inline int64_t imm_s(uint32_t i) { return (signed_top(i, 25) << 5) | ((i >> 7) & 31); }
inline int64_t imm_b(uint32_t i) {
  return (signed_top(i, 31) << 12) | ((i >> 7 & 1) << 11) | ((i >> 25 & 63) << 5) | ((i >> 8 & 15) << 1);
}
inline int64_t imm_u(uint32_t i) { return static_cast<int32_t>(i & 0xfffff000u); }
inline int64_t imm_j(uint32_t i) {
  return (signed_top(i, 31) << 20) | (i & 0xff000) | ((i >> 20 & 1) << 11) | ((i >> 21 & 0x3ff) << 1);
}
inline unsigned csr(uint32_t i) { return i >> 20; }

}  // namespace vessel::riscv::field
