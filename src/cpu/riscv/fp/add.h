// Addition and subtraction (subtraction is addition of the negated operand).
#pragma once
#include <cstdint>
#include <utility>

#include "cpu/riscv/fp/nan.h"
#include "cpu/riscv/fp/round_pack.h"

namespace vessel::fp::detail {

template <class F>
inline typename F::Bits add(typename F::Bits a, typename F::Bits b, bool negate_b, Round rm, uint8_t& flags) {
  const bool sign_a = F::sign(a);
  const bool sign_b = F::sign(b) != negate_b;

  if (F::isSpecial(a) || F::isSpecial(b)) {
    if (F::isNaN(a) || F::isNaN(b)) return nanResult<F>(a, b, flags);
    if (F::isInf(a)) return (F::isInf(b) && sign_a != sign_b) ? invalidResult<F>(flags) : F::inf(sign_a);
    return F::inf(sign_b);
  }
  if (F::isZero(b)) {
    // x + 0 is x exactly; 0 + 0 of opposite signs is +0 except when rounding down.
    if (!F::isZero(a)) return a;
    return F::zero(sign_a == sign_b ? sign_a : rm == Round::Down);
  }
  if (F::isZero(a)) return F::abs(b) | F::zero(sign_b);

  Unpacked x = unpack<F>(a);
  Unpacked y = unpack<F>(b);
  y.sign = sign_b;
  // Order by magnitude so the result takes x's sign and the difference is >= 0.
  if (y.exp > x.exp || (y.exp == x.exp && y.sig > x.sig)) std::swap(x, y);

  // Leading ones at bit 61 leave room for the carry of an addition; the low
  // zero bits below are the guard bits that make jamming exact enough.
  constexpr int kAlign = 61 - F::kFracBits;
  const uint64_t sig_x = x.sig << kAlign;
  const uint64_t sig_y = shiftRightJam64(y.sig << kAlign, x.exp - y.exp);
  if (x.sign == y.sign) return normRoundPack<F>(x.sign, x.exp + 1, sig_x + sig_y, rm, flags);
  const uint64_t diff = sig_x - sig_y;
  if (diff == 0) return F::zero(rm == Round::Down);
  return normRoundPack<F>(x.sign, x.exp + 1, diff, rm, flags);
}

}  // namespace vessel::fp::detail
