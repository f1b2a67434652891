// Square root by an exact integer square root of the scaled significand.
#pragma once
#include <cstdint>

#include "cpu/riscv/fp/nan.h"
#include "cpu/riscv/fp/round_pack.h"

namespace vessel::fp::detail {

template <class F>
inline typename F::Bits squareRoot(typename F::Bits a, Round rm, uint8_t& flags) {
  if (F::isNaN(a)) return nanResult<F>(a, a, flags);
  if (F::isZero(a)) return a;  // sqrt(-0) = -0
  if (F::sign(a)) return invalidResult<F>(flags);
  if (F::isInf(a)) return a;

  const Unpacked x = unpack<F>(a);
  // value = sig * 2^t; scale sig by 2^s so that t - s is even and the root has
  // its leading one at a fixed bit, then halve the exponent exactly.
  const int t = x.exp - F::kBias - F::kFracBits;
  uint64_t root;
  int exp;
  if constexpr (F::kFracBits < 32) {
    const int s = (60 - F::kFracBits) + ((t - (60 - F::kFracBits)) & 1);
    const uint64_t n = x.sig << s;  // in [2^60, 2^62)
    const uint64_t r = isqrtSmall(n);  // leading one at bit 30
    root = (r << 32) | (r * r != n);
    exp = (t - s) / 2 + F::kBias + 30;
  } else {
    const int s = (124 - F::kFracBits) + ((t - (124 - F::kFracBits)) & 1);
    const u128 n = static_cast<u128>(x.sig) << s;  // in [2^124, 2^126)
    const uint64_t r = isqrtLarge(n);              // leading one at bit 62
    root = r | (static_cast<u128>(r) * r != n);
    exp = (t - s) / 2 + F::kBias + 62;
  }
  return roundPack<F>(false, exp, root, rm, flags);
}

}  // namespace vessel::fp::detail
