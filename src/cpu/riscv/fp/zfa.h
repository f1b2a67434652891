// Zfa's operations: fminm/fmaxm (NaN in, canonical NaN out), rounding to an integral value
// in the float format, the quiet orderings fleq/fltq, and fcvtmod.w.d (conversion to a
// 32-bit integer modulo 2^32, toward zero, as JavaScript's ToInt32 does).
#pragma once
#include <cstdint>

#include "cpu/riscv/fp/compare.h"
#include "cpu/riscv/fp/convert.h"

namespace vessel::fp::detail {

template <class F>
inline typename F::Bits minMaxNaN(typename F::Bits a, typename F::Bits b, bool want_max, uint8_t& flags) {
  if (F::isNaN(a) || F::isNaN(b)) return nanResult<F>(a, b, flags);
  return minMax<F>(a, b, want_max, flags);
}

// fround (inexact = false: never raises Inexact) and froundnx.
template <class F>
inline typename F::Bits roundToIntegral(typename F::Bits a, Round rm, bool raise_inexact, uint8_t& flags) {
  if (F::isNaN(a)) return nanResult<F>(a, a, flags);
  if (F::isInf(a) || F::isZero(a) || F::expField(a) >= F::kBias + F::kFracBits) return a;  // already integral
  const Unpacked x = unpack<F>(a);
  const IntRounding r = roundToInt<F>(x, rm);  // |a| < 2^kFracBits: no overflow
  if (r.inexact && raise_inexact) flags |= Inexact;
  if (r.magnitude == 0) return F::zero(x.sign);
  uint8_t exact = 0;  // the integer has at most kFracBits + 1 bits: converting it back is exact
  return fromInt<F>(x.sign, static_cast<uint64_t>(r.magnitude), rm, exact);
}

// Orderings that raise Invalid for signaling NaNs only.
template <class F>
inline bool quietLess(typename F::Bits a, typename F::Bits b, bool or_equal, uint8_t& flags) {
  if (F::isNaN(a) || F::isNaN(b)) {
    if (F::isSNaN(a) || F::isSNaN(b)) flags |= Invalid;
    return false;
  }
  uint8_t ignored = 0;
  return or_equal ? le<F>(a, b, ignored) : lt<F>(a, b, ignored);
}

// The integer part of `a` modulo 2^32 (0 for NaN and infinities, with Invalid); Invalid
// also when that integer is not a 32-bit signed value, else Inexact when `a` was not one.
inline uint32_t toInt32Modular(uint64_t a, uint8_t& flags) {
  using F = F64;
  if (F::isSpecial(a)) {
    flags |= Invalid;
    return 0;
  }
  if (F::isZero(a)) return 0;
  const Unpacked x = unpack<F>(a);
  const int e = x.exp - F::kBias;  // value = sig * 2^(e - 52), sig < 2^53
  uint64_t whole;
  bool inexact;
  if (e < 0) {
    whole = 0;
    inexact = true;
  } else if (e <= F::kFracBits) {
    whole = x.sig >> (F::kFracBits - e);
    inexact = (x.sig & ((uint64_t{1} << (F::kFracBits - e)) - 1)) != 0;
  } else {
    whole = e - F::kFracBits < 64 ? x.sig << (e - F::kFracBits) : 0;  // only the low bits matter
    inexact = false;
  }
  const bool fits = e < 31 || (e == 31 && x.sign && whole == (uint64_t{1} << 31));
  if (!fits) flags |= Invalid;
  else if (inexact) flags |= Inexact;
  return static_cast<uint32_t>(x.sign ? 0 - whole : whole);
}

}  // namespace vessel::fp::detail
