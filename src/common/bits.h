// Bit-field helpers used by decoders and CSR code.
#pragma once
#include <cstdint>

namespace vessel {

// Bits [hi:lo] of v, zero-extended.
constexpr uint64_t bits(uint64_t v, unsigned hi, unsigned lo) {
  return (v >> lo) & ((hi - lo + 1 >= 64) ? ~0ull : ((1ull << (hi - lo + 1)) - 1));
}
constexpr uint64_t bit(uint64_t v, unsigned n) { return (v >> n) & 1; }

// Sign-extend the low `width` bits of v.
constexpr int64_t sext(uint64_t v, unsigned width) {
  const unsigned shift = 64 - width;
  return static_cast<int64_t>(v << shift) >> shift;
}

}  // namespace vessel
