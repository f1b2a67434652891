// Conversions between the two formats and between floats and integers.
#pragma once
#include <cstdint>

#include "cpu/riscv/fp/nan.h"
#include "cpu/riscv/fp/round_pack.h"

namespace vessel::fp::detail {

// Between formats: widening is exact, narrowing rounds (the exponent rebias keeps
// the value; roundPack handles overflow and underflow of the narrower range).
template <class To, class From>
inline typename To::Bits convertFormat(typename From::Bits a, Round rm, uint8_t& flags) {
  if (From::isNaN(a)) {
    nanResult<From>(a, a, flags);
    return To::kDefaultNaN;
  }
  if (From::isInf(a)) return To::inf(From::sign(a));
  if (From::isZero(a)) return To::zero(From::sign(a));
  const Unpacked x = unpack<From>(a);
  return roundPack<To>(x.sign, x.exp - From::kBias + To::kBias, x.sig << (62 - From::kFracBits), rm, flags);
}

// Integer (as sign and magnitude) to float.
template <class F>
inline typename F::Bits fromInt(bool negative, uint64_t magnitude, Round rm, uint8_t& flags) {
  if (magnitude == 0) return 0;  // +0 in every rounding mode
  // value = magnitude * 2^0 = sig * 2^(exp - bias - 62) with exp = bias + 62.
  if (magnitude >> 63) return roundPack<F>(negative, F::kBias + 63, (magnitude >> 1) | (magnitude & 1), rm, flags);
  return normRoundPack<F>(negative, F::kBias + 62, magnitude, rm, flags);
}

// Float to integer: the magnitude rounded to an integer by rm. Magnitudes of 2^64
// and above are reported as overflow; otherwise `magnitude` may be exactly 2^64
// after rounding, so it is returned in 128 bits.
struct IntRounding {
  bool overflow;
  bool inexact;
  u128 magnitude;
};

template <class F>
inline IntRounding roundToInt(const Unpacked& x, Round rm) {
  const int unbiased = x.exp - F::kBias;  // value = sig * 2^(unbiased - kFracBits)
  if (unbiased > 63) return {true, false, 0};
  // Fixed point with 64 fraction bits: sig < 2^(kFracBits+1) keeps it below 2^128.
  const int shift = unbiased - F::kFracBits + 64;
  const u128 fixed = shift >= 0 ? static_cast<u128>(x.sig) << shift : shiftRightJam128(x.sig, -shift);
  const uint64_t whole = static_cast<uint64_t>(fixed >> 64);
  const uint64_t frac = static_cast<uint64_t>(fixed);
  constexpr uint64_t kHalf = uint64_t{1} << 63;
  bool up = false;
  switch (rm) {
    case Round::NearestEven: up = frac > kHalf || (frac == kHalf && (whole & 1)); break;
    case Round::NearestMaxMag: up = frac >= kHalf; break;
    case Round::TowardZero: break;
    case Round::Down: up = x.sign && frac != 0; break;
    case Round::Up: up = !x.sign && frac != 0; break;
  }
  return {false, frac != 0, static_cast<u128>(whole) + up};
}

// Saturating conversion to a kBits-wide integer, returned as its bit pattern.
// NaN converts like +overflow; out-of-range results raise Invalid only.
template <class F, bool kSigned, int kBits>
inline uint64_t toInt(typename F::Bits a, Round rm, uint8_t& flags) {
  constexpr uint64_t kUnsignedMax = kBits == 64 ? ~uint64_t{0} : (uint64_t{1} << kBits) - 1;
  constexpr uint64_t kPosMax = kSigned ? kUnsignedMax >> 1 : kUnsignedMax;
  constexpr uint64_t kNegLimit = kSigned ? kPosMax + 1 : 0;  // largest magnitude allowed when negative
  constexpr uint64_t kNegMin = kSigned ? (~kPosMax & kUnsignedMax) : 0;  // pattern of the minimum

  if (F::isZero(a)) return 0;
  const bool negative = F::sign(a) && !F::isNaN(a);
  IntRounding r{true, false, 0};
  if (!F::isSpecial(a)) r = roundToInt<F>(unpack<F>(a), rm);
  const u128 limit = negative ? kNegLimit : kPosMax;
  if (r.overflow || r.magnitude > limit) {
    flags |= Invalid;
    return negative ? kNegMin : kPosMax;
  }
  if (r.inexact) flags |= Inexact;
  const uint64_t m = static_cast<uint64_t>(r.magnitude);
  return (negative ? 0 - m : m) & kUnsignedMax;
}

}  // namespace vessel::fp::detail
