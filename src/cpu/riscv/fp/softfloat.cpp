// Public entry points: each instantiates the shared format-generic algorithm.
#include "cpu/riscv/fp/softfloat.h"

#include "cpu/riscv/fp/add.h"
#include "cpu/riscv/fp/compare.h"
#include "cpu/riscv/fp/convert.h"
#include "cpu/riscv/fp/mul_div.h"
#include "cpu/riscv/fp/muladd.h"
#include "cpu/riscv/fp/sqrt.h"
#include "cpu/riscv/fp/zfa.h"

namespace vessel::fp {

using detail::F32;
using detail::F64;

uint32_t f32_add(uint32_t a, uint32_t b, Round rm, uint8_t& flags) { return detail::add<F32>(a, b, false, rm, flags); }
uint32_t f32_sub(uint32_t a, uint32_t b, Round rm, uint8_t& flags) { return detail::add<F32>(a, b, true, rm, flags); }
uint32_t f32_mul(uint32_t a, uint32_t b, Round rm, uint8_t& flags) { return detail::mul<F32>(a, b, rm, flags); }
uint32_t f32_div(uint32_t a, uint32_t b, Round rm, uint8_t& flags) { return detail::divide<F32>(a, b, rm, flags); }
uint32_t f32_sqrt(uint32_t a, Round rm, uint8_t& flags) { return detail::squareRoot<F32>(a, rm, flags); }
uint32_t f32_muladd(uint32_t a, uint32_t b, uint32_t c, bool negate_product, bool negate_addend, Round rm,
                    uint8_t& flags) {
  return detail::muladd<F32>(a, b, c, negate_product, negate_addend, rm, flags);
}

uint64_t f64_add(uint64_t a, uint64_t b, Round rm, uint8_t& flags) { return detail::add<F64>(a, b, false, rm, flags); }
uint64_t f64_sub(uint64_t a, uint64_t b, Round rm, uint8_t& flags) { return detail::add<F64>(a, b, true, rm, flags); }
uint64_t f64_mul(uint64_t a, uint64_t b, Round rm, uint8_t& flags) { return detail::mul<F64>(a, b, rm, flags); }
uint64_t f64_div(uint64_t a, uint64_t b, Round rm, uint8_t& flags) { return detail::divide<F64>(a, b, rm, flags); }
uint64_t f64_sqrt(uint64_t a, Round rm, uint8_t& flags) { return detail::squareRoot<F64>(a, rm, flags); }
uint64_t f64_muladd(uint64_t a, uint64_t b, uint64_t c, bool negate_product, bool negate_addend, Round rm,
                    uint8_t& flags) {
  return detail::muladd<F64>(a, b, c, negate_product, negate_addend, rm, flags);
}

uint32_t f32_min(uint32_t a, uint32_t b, uint8_t& flags) { return detail::minMax<F32>(a, b, false, flags); }
uint32_t f32_max(uint32_t a, uint32_t b, uint8_t& flags) { return detail::minMax<F32>(a, b, true, flags); }
uint64_t f64_min(uint64_t a, uint64_t b, uint8_t& flags) { return detail::minMax<F64>(a, b, false, flags); }
uint64_t f64_max(uint64_t a, uint64_t b, uint8_t& flags) { return detail::minMax<F64>(a, b, true, flags); }

bool f32_eq(uint32_t a, uint32_t b, uint8_t& flags) { return detail::eq<F32>(a, b, flags); }
bool f32_lt(uint32_t a, uint32_t b, uint8_t& flags) { return detail::lt<F32>(a, b, flags); }
bool f32_le(uint32_t a, uint32_t b, uint8_t& flags) { return detail::le<F32>(a, b, flags); }
bool f64_eq(uint64_t a, uint64_t b, uint8_t& flags) { return detail::eq<F64>(a, b, flags); }
bool f64_lt(uint64_t a, uint64_t b, uint8_t& flags) { return detail::lt<F64>(a, b, flags); }
bool f64_le(uint64_t a, uint64_t b, uint8_t& flags) { return detail::le<F64>(a, b, flags); }

uint32_t f32_classify(uint32_t a) { return detail::classify<F32>(a); }
uint32_t f64_classify(uint64_t a) { return detail::classify<F64>(a); }

// Widening is exact, so the rounding mode passed down is never consulted.
uint64_t f32_to_f64(uint32_t a, uint8_t& flags) {
  return detail::convertFormat<F64, F32>(a, Round::NearestEven, flags);
}
uint32_t f64_to_f32(uint64_t a, Round rm, uint8_t& flags) { return detail::convertFormat<F32, F64>(a, rm, flags); }

uint32_t f16_to_f32(uint16_t a, uint8_t& flags) {
  return detail::convertFormat<F32, detail::F16>(a, Round::NearestEven, flags);
}
uint64_t f16_to_f64(uint16_t a, uint8_t& flags) {
  return detail::convertFormat<F64, detail::F16>(a, Round::NearestEven, flags);
}
uint16_t f32_to_f16(uint32_t a, Round rm, uint8_t& flags) { return detail::convertFormat<detail::F16, F32>(a, rm, flags); }
uint16_t f64_to_f16(uint64_t a, Round rm, uint8_t& flags) { return detail::convertFormat<detail::F16, F64>(a, rm, flags); }

int32_t f32_to_i32(uint32_t a, Round rm, uint8_t& flags) {
  return static_cast<int32_t>(detail::toInt<F32, true, 32>(a, rm, flags));
}
uint32_t f32_to_u32(uint32_t a, Round rm, uint8_t& flags) {
  return static_cast<uint32_t>(detail::toInt<F32, false, 32>(a, rm, flags));
}
int64_t f32_to_i64(uint32_t a, Round rm, uint8_t& flags) {
  return static_cast<int64_t>(detail::toInt<F32, true, 64>(a, rm, flags));
}
uint64_t f32_to_u64(uint32_t a, Round rm, uint8_t& flags) { return detail::toInt<F32, false, 64>(a, rm, flags); }
int32_t f64_to_i32(uint64_t a, Round rm, uint8_t& flags) {
  return static_cast<int32_t>(detail::toInt<F64, true, 32>(a, rm, flags));
}
uint32_t f64_to_u32(uint64_t a, Round rm, uint8_t& flags) {
  return static_cast<uint32_t>(detail::toInt<F64, false, 32>(a, rm, flags));
}
int64_t f64_to_i64(uint64_t a, Round rm, uint8_t& flags) {
  return static_cast<int64_t>(detail::toInt<F64, true, 64>(a, rm, flags));
}
uint64_t f64_to_u64(uint64_t a, Round rm, uint8_t& flags) { return detail::toInt<F64, false, 64>(a, rm, flags); }

namespace {
// Magnitude of a signed integer without overflowing on the minimum value.
uint64_t magnitude(int64_t v) { return v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v); }
}  // namespace

uint32_t i32_to_f32(int32_t v, Round rm, uint8_t& flags) { return detail::fromInt<F32>(v < 0, magnitude(v), rm, flags); }
uint32_t u32_to_f32(uint32_t v, Round rm, uint8_t& flags) { return detail::fromInt<F32>(false, v, rm, flags); }
uint32_t i64_to_f32(int64_t v, Round rm, uint8_t& flags) { return detail::fromInt<F32>(v < 0, magnitude(v), rm, flags); }
uint32_t u64_to_f32(uint64_t v, Round rm, uint8_t& flags) { return detail::fromInt<F32>(false, v, rm, flags); }
uint64_t i32_to_f64(int32_t v, Round rm, uint8_t& flags) { return detail::fromInt<F64>(v < 0, magnitude(v), rm, flags); }
uint64_t u32_to_f64(uint32_t v, Round rm, uint8_t& flags) { return detail::fromInt<F64>(false, v, rm, flags); }
uint64_t i64_to_f64(int64_t v, Round rm, uint8_t& flags) { return detail::fromInt<F64>(v < 0, magnitude(v), rm, flags); }
uint64_t u64_to_f64(uint64_t v, Round rm, uint8_t& flags) { return detail::fromInt<F64>(false, v, rm, flags); }

uint32_t f32_minm(uint32_t a, uint32_t b, uint8_t& flags) { return detail::minMaxNaN<F32>(a, b, false, flags); }
uint32_t f32_maxm(uint32_t a, uint32_t b, uint8_t& flags) { return detail::minMaxNaN<F32>(a, b, true, flags); }
uint64_t f64_minm(uint64_t a, uint64_t b, uint8_t& flags) { return detail::minMaxNaN<F64>(a, b, false, flags); }
uint64_t f64_maxm(uint64_t a, uint64_t b, uint8_t& flags) { return detail::minMaxNaN<F64>(a, b, true, flags); }
uint32_t f32_round(uint32_t a, Round rm, bool raise_inexact, uint8_t& flags) {
  return detail::roundToIntegral<F32>(a, rm, raise_inexact, flags);
}
uint64_t f64_round(uint64_t a, Round rm, bool raise_inexact, uint8_t& flags) {
  return detail::roundToIntegral<F64>(a, rm, raise_inexact, flags);
}
bool f32_leq(uint32_t a, uint32_t b, uint8_t& flags) { return detail::quietLess<F32>(a, b, true, flags); }
bool f32_ltq(uint32_t a, uint32_t b, uint8_t& flags) { return detail::quietLess<F32>(a, b, false, flags); }
bool f64_leq(uint64_t a, uint64_t b, uint8_t& flags) { return detail::quietLess<F64>(a, b, true, flags); }
bool f64_ltq(uint64_t a, uint64_t b, uint8_t& flags) { return detail::quietLess<F64>(a, b, false, flags); }
uint32_t f64_to_i32_modular(uint64_t a, uint8_t& flags) { return detail::toInt32Modular(a, flags); }

}  // namespace vessel::fp
