// Bit-exact IEEE 754 binary32/binary64 arithmetic with RISC-V semantics:
// every rounding mode (including RMM), fflags accrual, canonical NaN results,
// tininess detected after rounding, RISC-V saturating float->int conversions.
// Pure functions on raw bit patterns: no host FPU state is read or changed.
#pragma once
#include <cstdint>

namespace vessel::fp {

// The RISC-V rm field values; 5/6 are reserved and 7 (dynamic) is resolved by the caller.
enum class Round : uint8_t { NearestEven = 0, TowardZero = 1, Down = 2, Up = 3, NearestMaxMag = 4 };

// fflags bit layout of the fcsr.
enum Flag : uint8_t { Inexact = 1, Underflow = 2, Overflow = 4, DivByZero = 8, Invalid = 16 };

constexpr uint16_t kCanonicalNaN16 = 0x7e00u;
constexpr uint32_t kCanonicalNaN32 = 0x7fc00000u;
constexpr uint64_t kCanonicalNaN64 = 0x7ff8000000000000ull;

// Arithmetic. `flags` is OR-ed into (accrued), never cleared.
uint32_t f32_add(uint32_t a, uint32_t b, Round rm, uint8_t& flags);
uint32_t f32_sub(uint32_t a, uint32_t b, Round rm, uint8_t& flags);
uint32_t f32_mul(uint32_t a, uint32_t b, Round rm, uint8_t& flags);
uint32_t f32_div(uint32_t a, uint32_t b, Round rm, uint8_t& flags);
uint32_t f32_sqrt(uint32_t a, Round rm, uint8_t& flags);
// a*b + c with a single rounding. negate_product / negate_addend give fmsub/fnmsub/fnmadd.
uint32_t f32_muladd(uint32_t a, uint32_t b, uint32_t c, bool negate_product, bool negate_addend, Round rm,
                    uint8_t& flags);

uint64_t f64_add(uint64_t a, uint64_t b, Round rm, uint8_t& flags);
uint64_t f64_sub(uint64_t a, uint64_t b, Round rm, uint8_t& flags);
uint64_t f64_mul(uint64_t a, uint64_t b, Round rm, uint8_t& flags);
uint64_t f64_div(uint64_t a, uint64_t b, Round rm, uint8_t& flags);
uint64_t f64_sqrt(uint64_t a, Round rm, uint8_t& flags);
uint64_t f64_muladd(uint64_t a, uint64_t b, uint64_t c, bool negate_product, bool negate_addend, Round rm,
                    uint8_t& flags);

// fmin/fmax (RISC-V 2.2+ semantics: -0 < +0, one NaN returns the other operand,
// two NaNs return the canonical NaN, a signaling NaN input raises Invalid).
uint32_t f32_min(uint32_t a, uint32_t b, uint8_t& flags);
uint32_t f32_max(uint32_t a, uint32_t b, uint8_t& flags);
uint64_t f64_min(uint64_t a, uint64_t b, uint8_t& flags);
uint64_t f64_max(uint64_t a, uint64_t b, uint8_t& flags);

// Comparisons: feq is quiet (Invalid only for sNaN); flt/fle signal Invalid on any NaN.
bool f32_eq(uint32_t a, uint32_t b, uint8_t& flags);
bool f32_lt(uint32_t a, uint32_t b, uint8_t& flags);
bool f32_le(uint32_t a, uint32_t b, uint8_t& flags);
bool f64_eq(uint64_t a, uint64_t b, uint8_t& flags);
bool f64_lt(uint64_t a, uint64_t b, uint8_t& flags);
bool f64_le(uint64_t a, uint64_t b, uint8_t& flags);

// fclass: the 10-bit one-hot mask of the RISC-V spec.
uint32_t f32_classify(uint32_t a);
uint32_t f64_classify(uint64_t a);

// Zfa: fminm/fmaxm (any NaN operand gives the canonical NaN), fround/froundnx (to an
// integral value; only the nx form raises Inexact), fleq/fltq (Invalid for sNaN only),
// fcvtmod.w.d (toward zero, modulo 2^32; returned as the 32-bit pattern).
uint32_t f32_minm(uint32_t a, uint32_t b, uint8_t& flags);
uint32_t f32_maxm(uint32_t a, uint32_t b, uint8_t& flags);
uint64_t f64_minm(uint64_t a, uint64_t b, uint8_t& flags);
uint64_t f64_maxm(uint64_t a, uint64_t b, uint8_t& flags);
uint32_t f32_round(uint32_t a, Round rm, bool raise_inexact, uint8_t& flags);
uint64_t f64_round(uint64_t a, Round rm, bool raise_inexact, uint8_t& flags);
bool f32_leq(uint32_t a, uint32_t b, uint8_t& flags);
bool f32_ltq(uint32_t a, uint32_t b, uint8_t& flags);
bool f64_leq(uint64_t a, uint64_t b, uint8_t& flags);
bool f64_ltq(uint64_t a, uint64_t b, uint8_t& flags);
uint32_t f64_to_i32_modular(uint64_t a, uint8_t& flags);

// Format conversions.
uint64_t f32_to_f64(uint32_t a, uint8_t& flags);
uint32_t f64_to_f32(uint64_t a, Round rm, uint8_t& flags);
// binary16 (Zfhmin): widening is exact (rm unused), narrowing rounds.
uint32_t f16_to_f32(uint16_t a, uint8_t& flags);
uint64_t f16_to_f64(uint16_t a, uint8_t& flags);
uint16_t f32_to_f16(uint32_t a, Round rm, uint8_t& flags);
uint16_t f64_to_f16(uint64_t a, Round rm, uint8_t& flags);

// float -> integer, RISC-V saturation: NaN and +overflow give the maximum, -overflow the minimum,
// both with Invalid (and no Inexact); in-range non-integral values raise Inexact.
// 32-bit results are returned as their 32-bit pattern (caller sign-extends for RV64).
int32_t f32_to_i32(uint32_t a, Round rm, uint8_t& flags);
uint32_t f32_to_u32(uint32_t a, Round rm, uint8_t& flags);
int64_t f32_to_i64(uint32_t a, Round rm, uint8_t& flags);
uint64_t f32_to_u64(uint32_t a, Round rm, uint8_t& flags);
int32_t f64_to_i32(uint64_t a, Round rm, uint8_t& flags);
uint32_t f64_to_u32(uint64_t a, Round rm, uint8_t& flags);
int64_t f64_to_i64(uint64_t a, Round rm, uint8_t& flags);
uint64_t f64_to_u64(uint64_t a, Round rm, uint8_t& flags);

// integer -> float
uint32_t i32_to_f32(int32_t v, Round rm, uint8_t& flags);
uint32_t u32_to_f32(uint32_t v, Round rm, uint8_t& flags);
uint32_t i64_to_f32(int64_t v, Round rm, uint8_t& flags);
uint32_t u64_to_f32(uint64_t v, Round rm, uint8_t& flags);
uint64_t i32_to_f64(int32_t v, Round rm, uint8_t& flags);
uint64_t u32_to_f64(uint32_t v, Round rm, uint8_t& flags);
uint64_t i64_to_f64(int64_t v, Round rm, uint8_t& flags);
uint64_t u64_to_f64(uint64_t v, Round rm, uint8_t& flags);

}  // namespace vessel::fp
