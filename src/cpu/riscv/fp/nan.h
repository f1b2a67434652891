// NaN handling shared by the arithmetic operations: RISC-V never propagates NaN
// payloads, so any NaN result is the canonical NaN, and a signaling NaN operand
// raises Invalid.
#pragma once
#include <cstdint>

#include "cpu/riscv/fp/format.h"

namespace vessel::fp::detail {

template <class F>
inline typename F::Bits nanResult(typename F::Bits a, typename F::Bits b, uint8_t& flags) {
  if (F::isSNaN(a) || F::isSNaN(b)) flags |= Invalid;
  return F::kDefaultNaN;
}

template <class F>
inline typename F::Bits invalidResult(uint8_t& flags) {
  flags |= Invalid;
  return F::kDefaultNaN;
}

}  // namespace vessel::fp::detail
