// Multiplication and division.
#pragma once
#include <cstdint>

#include "cpu/riscv/fp/nan.h"
#include "cpu/riscv/fp/round_pack.h"

namespace vessel::fp::detail {

// Rounded product of two finite nonzero operands (also fma's path when the addend is zero).
template <class F>
inline typename F::Bits mulFinite(bool sign, const Unpacked& x, const Unpacked& y, Round rm, uint8_t& flags) {
  // Leading ones at bits 62 and 63 put the product's leading one at bit 125 or 126;
  // its high half then has it at bit 61 or 62 and the low half folds into the sticky bit.
  const u128 p = static_cast<u128>(x.sig << (62 - F::kFracBits)) * (y.sig << (63 - F::kFracBits));
  const uint64_t sig = static_cast<uint64_t>(p >> 64) | (static_cast<uint64_t>(p) != 0);
  return normRoundPack<F>(sign, x.exp + y.exp - F::kBias + 1, sig, rm, flags);
}

template <class F>
inline typename F::Bits mul(typename F::Bits a, typename F::Bits b, Round rm, uint8_t& flags) {
  const bool sign = F::sign(a) != F::sign(b);
  if (F::isSpecial(a) || F::isSpecial(b)) {
    if (F::isNaN(a) || F::isNaN(b)) return nanResult<F>(a, b, flags);
    if (F::isZero(a) || F::isZero(b)) return invalidResult<F>(flags);  // inf * 0
    return F::inf(sign);
  }
  if (F::isZero(a) || F::isZero(b)) return F::zero(sign);
  return mulFinite<F>(sign, unpack<F>(a), unpack<F>(b), rm, flags);
}

template <class F>
inline typename F::Bits divide(typename F::Bits a, typename F::Bits b, Round rm, uint8_t& flags) {
  const bool sign = F::sign(a) != F::sign(b);
  if (F::isSpecial(a) || F::isSpecial(b)) {
    if (F::isNaN(a) || F::isNaN(b)) return nanResult<F>(a, b, flags);
    if (F::isInf(a)) return F::isInf(b) ? invalidResult<F>(flags) : F::inf(sign);
    return F::zero(sign);  // finite / inf
  }
  if (F::isZero(b)) {
    if (F::isZero(a)) return invalidResult<F>(flags);
    flags |= DivByZero;
    return F::inf(sign);
  }
  if (F::isZero(a)) return F::zero(sign);

  const Unpacked x = unpack<F>(a);
  const Unpacked y = unpack<F>(b);
  // Quotient of significands scaled so it lands in (2^61, 2^63); a nonzero
  // remainder becomes the sticky bit. binary32 fits in a 64-bit division.
  uint64_t q;
  if constexpr (F::kFracBits < 32) {
    const uint64_t n = x.sig << 39;
    q = ((n / y.sig) << 23) | (n % y.sig != 0);
  } else {
    const u128 n = static_cast<u128>(x.sig) << 62;
    const uint64_t q0 = static_cast<uint64_t>(n / y.sig);
    q = q0 | (static_cast<u128>(q0) * y.sig != n);
  }
  return normRoundPack<F>(sign, x.exp - y.exp + F::kBias, q, rm, flags);
}

}  // namespace vessel::fp::detail
