// Comparisons, fmin/fmax and fclass: pure bit-pattern logic, no rounding.
#pragma once
#include <cstdint>

#include "cpu/riscv/fp/nan.h"

namespace vessel::fp::detail {

// Maps non-NaN patterns to unsigned integers in numeric order, with -0 just below +0.
template <class F>
constexpr typename F::Bits orderKey(typename F::Bits x) {
  return F::sign(x) ? ~x : x | F::kSignBit;
}

template <class F>
inline bool eq(typename F::Bits a, typename F::Bits b, uint8_t& flags) {
  if (F::isNaN(a) || F::isNaN(b)) {
    if (F::isSNaN(a) || F::isSNaN(b)) flags |= Invalid;
    return false;
  }
  return a == b || F::abs(a | b) == 0;
}

template <class F>
inline bool lt(typename F::Bits a, typename F::Bits b, uint8_t& flags) {
  if (F::isNaN(a) || F::isNaN(b)) {
    flags |= Invalid;
    return false;
  }
  return orderKey<F>(a) < orderKey<F>(b) && F::abs(a | b) != 0;
}

template <class F>
inline bool le(typename F::Bits a, typename F::Bits b, uint8_t& flags) {
  if (F::isNaN(a) || F::isNaN(b)) {
    flags |= Invalid;
    return false;
  }
  return orderKey<F>(a) <= orderKey<F>(b) || F::abs(a | b) == 0;
}

// fmin (want_max = false) / fmax: a single NaN operand yields the other one.
template <class F>
inline typename F::Bits minMax(typename F::Bits a, typename F::Bits b, bool want_max, uint8_t& flags) {
  const bool nan_a = F::isNaN(a);
  const bool nan_b = F::isNaN(b);
  if (nan_a || nan_b) {
    if (F::isSNaN(a) || F::isSNaN(b)) flags |= Invalid;
    if (nan_a && nan_b) return F::kDefaultNaN;
    return nan_a ? b : a;
  }
  const bool a_less = orderKey<F>(a) < orderKey<F>(b);
  return a_less != want_max ? a : b;
}

// fclass bits: 0 -inf, 1 -normal, 2 -subnormal, 3 -0, 4 +0, 5 +subnormal,
// 6 +normal, 7 +inf, 8 signaling NaN, 9 quiet NaN.
template <class F>
constexpr uint32_t classify(typename F::Bits a) {
  if (F::isNaN(a)) return F::isSNaN(a) ? 1u << 8 : 1u << 9;
  const bool neg = F::sign(a);
  const int e = F::expField(a);
  int pos;
  if (e == F::kMaxExp) {
    pos = 0;
  } else if (e != 0) {
    pos = 1;
  } else {
    pos = (a & F::kFracMask) != 0 ? 2 : 3;
  }
  return 1u << (neg ? pos : 7 - pos);
}

}  // namespace vessel::fp::detail
