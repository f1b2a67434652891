// Fused multiply-add: the exact product is kept in 128 bits, the addend aligned
// to it, and the sum rounded once.
#pragma once
#include <cstdint>

#include "cpu/riscv/fp/mul_div.h"

namespace vessel::fp::detail {

template <class F>
inline typename F::Bits muladd(typename F::Bits a, typename F::Bits b, typename F::Bits c, bool negate_product,
                               bool negate_addend, Round rm, uint8_t& flags) {
  const bool sign_p = (F::sign(a) != F::sign(b)) != negate_product;
  const bool sign_c = F::sign(c) != negate_addend;

  if (F::isSpecial(a) || F::isSpecial(b)) {
    if (F::isNaN(a) || F::isNaN(b)) {
      nanResult<F>(a, b, flags);
      return nanResult<F>(c, c, flags);
    }
    // inf * 0 is invalid even when the addend is a quiet NaN.
    if (F::isZero(a) || F::isZero(b)) return invalidResult<F>(flags);
    if (F::isNaN(c)) return nanResult<F>(c, c, flags);
    if (F::isInf(c) && sign_c != sign_p) return invalidResult<F>(flags);
    return F::inf(sign_p);
  }
  if (F::isSpecial(c)) return F::isNaN(c) ? nanResult<F>(c, c, flags) : F::inf(sign_c);

  if (F::isZero(a) || F::isZero(b)) {
    // Zero product: the addend is exact, or 0 + 0 follows the signed-zero rule.
    if (!F::isZero(c)) return F::abs(c) | F::zero(sign_c);
    return F::zero(sign_p == sign_c ? sign_p : rm == Round::Down);
  }
  const Unpacked x = unpack<F>(a);
  const Unpacked y = unpack<F>(b);
  if (F::isZero(c)) return mulFinite<F>(sign_p, x, y, rm, flags);
  const Unpacked z = unpack<F>(c);

  // Common frame: value = v * 2^(e - bias - 124). The product's leading one is
  // at bit 124 or 125, the addend's at 124; both keep >= 20 zero guard bits.
  u128 prod = (static_cast<u128>(x.sig) * y.sig) << (124 - 2 * F::kFracBits);
  u128 addend = static_cast<u128>(z.sig) << (124 - F::kFracBits);
  const int32_t exp_p = x.exp + y.exp - F::kBias;
  int32_t exp = exp_p;
  if (exp_p >= z.exp) {
    addend = shiftRightJam128(addend, exp_p - z.exp);
  } else {
    prod = shiftRightJam128(prod, z.exp - exp_p);
    exp = z.exp;
  }

  u128 sum;
  bool sign;
  if (sign_p == sign_c) {
    sum = prod + addend;  // < 2^127
    sign = sign_p;
  } else if (prod >= addend) {
    sum = prod - addend;
    sign = sign_p;
  } else {
    sum = addend - prod;
    sign = sign_c;
  }
  if (sum == 0) return F::zero(rm == Round::Down);

  // Move the leading one to bit 126 so the high half has it at bit 62.
  const int shift = clz128(sum) - 1;
  sum <<= shift;
  const uint64_t sig = static_cast<uint64_t>(sum >> 64) | (static_cast<uint64_t>(sum) != 0);
  return roundPack<F>(sign, exp - shift + 2, sig, rm, flags);
}

}  // namespace vessel::fp::detail
