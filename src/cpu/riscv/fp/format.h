// Format traits and bit-pattern predicates shared by every soft-float operation.
// The algorithms are templates over a format so binary32 and binary64 share one
// implementation (and one set of bugs to find).
#pragma once
#include <cstdint>

#include "cpu/riscv/fp/softfloat.h"

namespace vessel::fp::detail {

struct Binary32 {
  using Bits = uint32_t;
  static constexpr int kWidth = 32;
  static constexpr int kFracBits = 23;
  static constexpr int kBias = 127;
  static constexpr int kMaxExp = 0xff;  // exponent field of inf/NaN
  static constexpr Bits kDefaultNaN = kCanonicalNaN32;
};

struct Binary64 {
  using Bits = uint64_t;
  static constexpr int kWidth = 64;
  static constexpr int kFracBits = 52;
  static constexpr int kBias = 1023;
  static constexpr int kMaxExp = 0x7ff;
  static constexpr Bits kDefaultNaN = kCanonicalNaN64;
};

struct Binary16 {  // Zfhmin: loads, stores, moves and conversions only
  using Bits = uint16_t;
  static constexpr int kWidth = 16;
  static constexpr int kFracBits = 10;
  static constexpr int kBias = 15;
  static constexpr int kMaxExp = 0x1f;
  static constexpr Bits kDefaultNaN = kCanonicalNaN16;
};

template <class F>
struct Fmt : F {
  using Bits = typename F::Bits;
  static constexpr Bits kSignBit = Bits{1} << (F::kWidth - 1);
  static constexpr Bits kFracMask = (Bits{1} << F::kFracBits) - 1;
  static constexpr Bits kInf = Bits{F::kMaxExp} << F::kFracBits;
  static constexpr Bits kQuietBit = Bits{1} << (F::kFracBits - 1);
  static constexpr Bits kMaxFinite = kInf - 1;

  static constexpr bool sign(Bits x) { return (x >> (F::kWidth - 1)) != 0; }
  static constexpr int expField(Bits x) { return static_cast<int>((x >> F::kFracBits) & F::kMaxExp); }
  static constexpr Bits abs(Bits x) { return x & ~kSignBit; }
  static constexpr bool isNaN(Bits x) { return abs(x) > kInf; }
  static constexpr bool isSNaN(Bits x) { return isNaN(x) && (x & kQuietBit) == 0; }
  static constexpr bool isInf(Bits x) { return abs(x) == kInf; }
  static constexpr bool isZero(Bits x) { return abs(x) == 0; }
  // True for inf and NaN: the operand needs the special-case path.
  static constexpr bool isSpecial(Bits x) { return expField(x) == F::kMaxExp; }
  static constexpr Bits zero(bool s) { return s ? kSignBit : 0; }
  static constexpr Bits inf(bool s) { return zero(s) | kInf; }
};

using F16 = Fmt<Binary16>;
using F32 = Fmt<Binary32>;
using F64 = Fmt<Binary64>;

// A finite nonzero operand as sign, biased exponent and significand with the
// leading one at bit kFracBits. Subnormals are normalized, so exp may be <= 0:
// value = sig * 2^(exp - bias - kFracBits) in every case.
struct Unpacked {
  bool sign;
  int32_t exp;
  uint64_t sig;
};

template <class F>
inline Unpacked unpack(typename F::Bits x) {
  const int e = F::expField(x);
  const uint64_t frac = x & F::kFracMask;
  if (e != 0) return {F::sign(x), e, frac | (uint64_t{1} << F::kFracBits)};
  const int shift = __builtin_clzll(frac) - (63 - F::kFracBits);
  return {F::sign(x), 1 - shift, frac << shift};
}

}  // namespace vessel::fp::detail
