// The one place where results are rounded: every operation reduces its exact
// result to (sign, exponent, 64-bit significand with a sticky bit 0) and calls
// roundPack, which applies the rounding mode and raises NX/UF/OF.
#pragma once
#include <cstdint>

#include "cpu/riscv/fp/format.h"
#include "cpu/riscv/fp/wide.h"

namespace vessel::fp::detail {

// Convention: value = sig * 2^(exp - bias - 62), with sig's leading one at bit 62
// (bit 63 stays free for the carry of rounding). Bits below the format's last
// significand bit are round bits; bit 0 must be sticky (OR of everything lower).
template <class F>
inline typename F::Bits roundPack(bool sign, int32_t exp, uint64_t sig, Round rm, uint8_t& flags) {
  using Bits = typename F::Bits;
  constexpr int kRoundBits = 62 - F::kFracBits;
  constexpr uint64_t kMask = (uint64_t{1} << kRoundBits) - 1;
  constexpr uint64_t kHalf = uint64_t{1} << (kRoundBits - 1);
  constexpr uint64_t kCarry = uint64_t{1} << 63;

  uint64_t inc = 0;  // added before truncation: half for nearest, all ones away from zero
  switch (rm) {
    case Round::NearestEven:
    case Round::NearestMaxMag: inc = kHalf; break;
    case Round::TowardZero: break;
    case Round::Down: inc = sign ? kMask : 0; break;
    case Round::Up: inc = sign ? 0 : kMask; break;
  }

  // One unsigned compare catches both exp <= 0 and exp >= kMaxExp - 1.
  if (static_cast<uint32_t>(exp - 1) >= static_cast<uint32_t>(F::kMaxExp - 2)) {
    if (exp <= 0) {
      // Tiny after rounding: would the result, rounded to full precision with an
      // unbounded exponent, still be below the smallest normal?
      const bool tiny = exp < 0 || sig + inc < kCarry;
      sig = shiftRightJam64(sig, 1 - exp);
      exp = 1;
      if (tiny && (sig & kMask) != 0) flags |= Underflow;
    } else if (exp > F::kMaxExp - 1 || sig + inc >= kCarry) {
      flags |= Overflow | Inexact;
      const bool to_inf = rm == Round::NearestEven || rm == Round::NearestMaxMag ||
                          (rm == Round::Up && !sign) || (rm == Round::Down && sign);
      return F::zero(sign) | (to_inf ? F::kInf : F::kMaxFinite);
    }
  }

  const uint64_t round_bits = sig & kMask;
  if (round_bits != 0) flags |= Inexact;
  sig = (sig + inc) >> kRoundBits;
  if (rm == Round::NearestEven && round_bits == kHalf) sig &= ~uint64_t{1};
  // The implicit bit (or a rounding carry into bit kFracBits + 1) adds into the
  // exponent field; a subnormal (exp == 1, no implicit bit) packs exponent 0.
  return F::zero(sign) + (static_cast<Bits>(exp - 1) << F::kFracBits) + static_cast<Bits>(sig);
}

// As roundPack, for a nonzero sig < 2^63 whose leading one may be anywhere.
template <class F>
inline typename F::Bits normRoundPack(bool sign, int32_t exp, uint64_t sig, Round rm, uint8_t& flags) {
  const int shift = __builtin_clzll(sig) - 1;
  return roundPack<F>(sign, exp - shift, sig << shift, rm, flags);
}

}  // namespace vessel::fp::detail
