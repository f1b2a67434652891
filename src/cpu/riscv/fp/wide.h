// Integer helpers for soft-float: "jamming" right shifts (bits shifted out are
// OR-ed into bit 0 so rounding still sees that the value was inexact), 128-bit
// leading-zero count and exact integer square roots.
#pragma once
#include <array>
#include <cstdint>

namespace vessel::fp::detail {

__extension__ typedef unsigned __int128 u128;  // GCC/Clang builtin

inline uint64_t shiftRightJam64(uint64_t x, int n) {
  if (n <= 0) return x;
  if (n >= 64) return x != 0;
  return (x >> n) | ((x << (64 - n)) != 0);
}

inline u128 shiftRightJam128(u128 x, int n) {
  if (n <= 0) return x;
  if (n >= 128) return x != 0;
  return (x >> n) | ((x << (128 - n)) != 0);
}

// Leading zeros of a nonzero 128-bit value.
inline int clz128(u128 x) {
  const uint64_t hi = static_cast<uint64_t>(x >> 64);
  return hi != 0 ? __builtin_clzll(hi) : 64 + __builtin_clzll(static_cast<uint64_t>(x));
}

// Integer Newton steps x <- (x + n/x) / 2 never drop below floor(sqrt(n)) when
// started at or above it, and roughly double the number of correct bits each;
// a final decrement loop fixes the last unit or two.

// ceil(sqrt((k + 1) * 2^54)) for the top byte k in [64, 256) of an n in
// [2^60, 2^62): a start above sqrt(n) within 0.8%.
inline constexpr auto kSqrtSeed = [] {
  std::array<uint32_t, 192> t{};
  for (uint64_t k = 64; k < 256; ++k) {
    const uint64_t n = (k + 1) << 54;
    uint64_t x = uint64_t{1} << 31;  // exact integer Newton from above
    for (uint64_t y = (x + n / x) / 2; y < x; y = (x + n / x) / 2) x = y;
    t[k - 64] = static_cast<uint32_t>(x * x == n ? x : x + 1);
  }
  return t;
}();

// floor(sqrt(n)) for n in [2^60, 2^62): the result is in [2^30, 2^31).
inline uint64_t isqrtSmall(uint64_t n) {
  uint64_t x = kSqrtSeed[(n >> 54) - 64];
  x = (x + n / x) >> 1;  // error < 2^-14
  x = (x + n / x) >> 1;  // error < 2 units
  while (x * x > n) --x;
  return x;
}

// floor(sqrt(n)) for n in [2^124, 2^126): the result is in [2^62, 2^63). The root
// of the top half, scaled, starts within 2^-30; one 128/64 division brings it
// within a few units.
inline uint64_t isqrtLarge(u128 n) {
  const uint64_t top = static_cast<uint64_t>(n >> 64);  // in [2^60, 2^62)
  uint64_t x = (isqrtSmall(top) + 1) << 32;            // > sqrt(n)
  x = static_cast<uint64_t>((x + n / x) >> 1);
  while (static_cast<u128>(x) * x > n) --x;
  return x;
}

}  // namespace vessel::fp::detail
