// Hand-written soft-float cases: RMM ties, RISC-V conversion saturation, NaN and
// signed-zero rules, fmin/fmax, fclass and tininess — the places where RISC-V
// differs from (or is stricter than) what a host FPU can check.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>

#include "cpu/riscv/fp/softfloat.h"

namespace vessel::fp {
namespace {

constexpr Round RNE = Round::NearestEven;
constexpr Round RTZ = Round::TowardZero;
constexpr Round RDN = Round::Down;
constexpr Round RUP = Round::Up;
constexpr Round RMM = Round::NearestMaxMag;
constexpr Round kAllModes[] = {RNE, RTZ, RDN, RUP, RMM};

constexpr uint64_t D(double d) { return std::bit_cast<uint64_t>(d); }
constexpr uint32_t F(float f) { return std::bit_cast<uint32_t>(f); }

constexpr uint32_t kQNaN32 = 0x7fc00001, kSNaN32 = 0x7f800001, kNegQNaN32 = 0xffc12345;
constexpr uint64_t kQNaN64 = 0x7ff8000000000001, kSNaN64 = 0x7ff0000000000001, kNegQNaN64 = 0xfff8000000012345;
constexpr uint64_t kMinSub64 = 1, kMinNorm64 = 0x0010000000000000, kMax64 = 0x7fefffffffffffff;
constexpr uint64_t kInf64 = 0x7ff0000000000000, kNegInf64 = 0xfff0000000000000;
constexpr uint32_t kMax32 = 0x7f7fffff, kInf32 = 0x7f800000, kNegInf32 = 0xff800000;

// Result and flags of one call, for compact expectations.
template <class T>
struct R {
  T v;
  uint8_t f;
  bool operator==(const R&) const = default;
};
template <class T>
std::ostream& operator<<(std::ostream& os, const R<T>& r) {
  return os << std::hex << "0x" << static_cast<uint64_t>(r.v) << std::dec << " flags " << int{r.f};
}
template <class Fn, class... Args>
auto call(Fn fn, Args... args) {
  uint8_t f = 0;
  auto v = fn(args..., f);
  return R<decltype(v)>{v, f};
}
template <class T>
R<T> r(T v, uint8_t f) {
  return {v, f};
}

TEST(FpCases, RmmTiesRoundAwayFromZero) {
  // 1 + 2^-53 is halfway between 1 and 1 + 2^-52.
  EXPECT_EQ(call(f64_add, D(1.0), D(0x1p-53), RNE), r(D(1.0), Inexact));
  EXPECT_EQ(call(f64_add, D(1.0), D(0x1p-53), RMM), r(D(1.0 + 0x1p-52), Inexact));
  EXPECT_EQ(call(f64_sub, D(-1.0), D(0x1p-53), RMM), r(D(-1.0 - 0x1p-52), Inexact));
  EXPECT_EQ(call(f32_add, F(1.0f), F(0x1p-24f), RNE), r(F(1.0f), Inexact));
  EXPECT_EQ(call(f32_add, F(1.0f), F(0x1p-24f), RMM), r(F(1.0f + 0x1p-23f), Inexact));
  // Not a tie: RMM is plain round-to-nearest.
  EXPECT_EQ(call(f64_add, D(1.0), D(0x1.8p-54), RMM), r(D(1.0), Inexact));
  EXPECT_EQ(call(f64_add, D(1.0), D(0x1.8p-53), RMM), r(D(1.0 + 0x1p-52), Inexact));
  // Ties where RNE also rounds up agree.
  EXPECT_EQ(call(f64_add, D(1.0 + 0x1p-52), D(0x1p-53), RNE), r(D(1.0 + 0x1p-51), Inexact));
  EXPECT_EQ(call(f64_add, D(1.0 + 0x1p-52), D(0x1p-53), RMM), r(D(1.0 + 0x1p-51), Inexact));

  EXPECT_EQ(call(i64_to_f64, (int64_t{1} << 53) + 1, RNE), r(D(0x1p53), Inexact));
  EXPECT_EQ(call(i64_to_f64, (int64_t{1} << 53) + 1, RMM), r(D(0x1p53 + 2), Inexact));
  EXPECT_EQ(call(i64_to_f64, -(int64_t{1} << 53) - 1, RMM), r(D(-0x1p53 - 2), Inexact));
  EXPECT_EQ(call(u64_to_f32, uint64_t{(1u << 24) + 1}, RMM), r(F(0x1p24f + 2), Inexact));
  EXPECT_EQ(call(i32_to_f32, (1 << 24) + 1, RNE), r(F(0x1p24f), Inexact));

  EXPECT_EQ(call(f64_muladd, D(1.0), D(1.0), D(0x1p-53), false, false, RMM), r(D(1.0 + 0x1p-52), Inexact));
  EXPECT_EQ(call(f64_muladd, D(1.0), D(1.0), D(0x1p-53), false, false, RNE), r(D(1.0), Inexact));
  EXPECT_EQ(call(f64_to_f32, D(1.0 + 0x1p-24), RMM), r(F(1.0f + 0x1p-23f), Inexact));
  EXPECT_EQ(call(f64_to_f32, D(1.0 + 0x1p-24), RNE), r(F(1.0f), Inexact));

  // Subnormal ties: half of the smallest subnormal.
  EXPECT_EQ(call(f64_mul, kMinSub64, D(0.5), RNE), r(uint64_t{0}, Underflow | Inexact));
  EXPECT_EQ(call(f64_mul, kMinSub64, D(0.5), RMM), r(kMinSub64, Underflow | Inexact));
  EXPECT_EQ(call(f64_div, kMinSub64 | (uint64_t{1} << 63), D(2.0), RMM),
            r(kMinSub64 | (uint64_t{1} << 63), Underflow | Inexact));
  EXPECT_EQ(call(f32_mul, 3u, F(0.5f), RMM), r(2u, Underflow | Inexact));
  EXPECT_EQ(call(f32_mul, 5u, F(0.5f), RMM), r(3u, Underflow | Inexact));
  EXPECT_EQ(call(f32_mul, 5u, F(0.5f), RNE), r(2u, Underflow | Inexact));

  // Overflow in RMM goes to infinity.
  EXPECT_EQ(call(f64_mul, kMax64, D(2.0), RMM), r(kInf64, Overflow | Inexact));
  EXPECT_EQ(call(f32_add, kMax32, F(0x1p103f), RMM), r(kInf32, Overflow | Inexact));  // exactly half an ulp
  EXPECT_EQ(call(f32_add, kMax32, F(0x1p103f), RNE), r(kInf32, Overflow | Inexact));
  EXPECT_EQ(call(f32_add, kMax32, F(0x1p102f), RMM), r(kMax32, Inexact));
}

TEST(FpCases, FloatToIntRoundsByMode) {
  EXPECT_EQ(call(f64_to_i64, D(2.5), RNE), r(int64_t{2}, Inexact));
  EXPECT_EQ(call(f64_to_i64, D(2.5), RMM), r(int64_t{3}, Inexact));
  EXPECT_EQ(call(f64_to_i64, D(-2.5), RMM), r(int64_t{-3}, Inexact));
  EXPECT_EQ(call(f64_to_i64, D(-2.5), RDN), r(int64_t{-3}, Inexact));
  EXPECT_EQ(call(f64_to_i64, D(-2.5), RUP), r(int64_t{-2}, Inexact));
  EXPECT_EQ(call(f64_to_i64, D(-2.5), RTZ), r(int64_t{-2}, Inexact));
  EXPECT_EQ(call(f32_to_i32, F(0.5f), RNE), r(int32_t{0}, Inexact));
  EXPECT_EQ(call(f32_to_i32, F(0.5f), RMM), r(int32_t{1}, Inexact));
  EXPECT_EQ(call(f32_to_i32, F(-0.5f), RMM), r(int32_t{-1}, Inexact));
  EXPECT_EQ(call(f32_to_i32, F(1.5f), RNE), r(int32_t{2}, Inexact));
  EXPECT_EQ(call(f32_to_i32, F(0x1p-149f), RUP), r(int32_t{1}, Inexact));
  EXPECT_EQ(call(f64_to_u64, D(0x1p-1074), RDN), r(uint64_t{0}, Inexact));
  EXPECT_EQ(call(f64_to_i32, D(-0.0), RNE), r(int32_t{0}, 0));
  EXPECT_EQ(call(f64_to_u32, D(-0.0), RNE), r(uint32_t{0}, 0));
  EXPECT_EQ(call(f64_to_i32, D(-7.0), RNE), r(int32_t{-7}, 0));
}

TEST(FpCases, FloatToIntSaturates) {
  constexpr int32_t kI32Max = std::numeric_limits<int32_t>::max(), kI32Min = std::numeric_limits<int32_t>::min();
  constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max(), kI64Min = std::numeric_limits<int64_t>::min();
  constexpr uint32_t kU32Max = ~0u;
  constexpr uint64_t kU64Max = ~uint64_t{0};
  for (Round rm : kAllModes) {
    for (uint64_t nan : {kQNaN64, kSNaN64, kNegQNaN64}) {
      EXPECT_EQ(call(f64_to_i32, nan, rm), r(kI32Max, Invalid));
      EXPECT_EQ(call(f64_to_u32, nan, rm), r(kU32Max, Invalid));
      EXPECT_EQ(call(f64_to_i64, nan, rm), r(kI64Max, Invalid));
      EXPECT_EQ(call(f64_to_u64, nan, rm), r(kU64Max, Invalid));
    }
    for (uint32_t nan : {kQNaN32, kSNaN32, kNegQNaN32}) {
      EXPECT_EQ(call(f32_to_i32, nan, rm), r(kI32Max, Invalid));
      EXPECT_EQ(call(f32_to_u32, nan, rm), r(kU32Max, Invalid));
      EXPECT_EQ(call(f32_to_i64, nan, rm), r(kI64Max, Invalid));
      EXPECT_EQ(call(f32_to_u64, nan, rm), r(kU64Max, Invalid));
    }
    EXPECT_EQ(call(f64_to_i32, kInf64, rm), r(kI32Max, Invalid));
    EXPECT_EQ(call(f64_to_i32, kNegInf64, rm), r(kI32Min, Invalid));
    EXPECT_EQ(call(f64_to_u32, kNegInf64, rm), r(uint32_t{0}, Invalid));
    EXPECT_EQ(call(f32_to_u64, kInf32, rm), r(kU64Max, Invalid));
    EXPECT_EQ(call(f32_to_i64, kNegInf32, rm), r(kI64Min, Invalid));
    // Exact bounds convert without flags; one past them saturates with Invalid only.
    EXPECT_EQ(call(f64_to_i32, D(2147483647.0), rm), r(kI32Max, 0));
    EXPECT_EQ(call(f64_to_i32, D(-2147483648.0), rm), r(kI32Min, 0));
    EXPECT_EQ(call(f64_to_i32, D(2147483648.0), rm), r(kI32Max, Invalid));
    EXPECT_EQ(call(f64_to_i32, D(-2147483649.0), rm), r(kI32Min, Invalid));
    EXPECT_EQ(call(f64_to_u32, D(4294967295.0), rm), r(kU32Max, 0));
    EXPECT_EQ(call(f64_to_u32, D(4294967296.0), rm), r(kU32Max, Invalid));
    EXPECT_EQ(call(f32_to_i64, F(-0x1p63f), rm), r(kI64Min, 0));
    EXPECT_EQ(call(f32_to_i64, F(0x1p63f), rm), r(kI64Max, Invalid));
    EXPECT_EQ(call(f64_to_u64, D(0x1p64), rm), r(kU64Max, Invalid));
    EXPECT_EQ(call(f64_to_u64, D(0x1.fffffffffffffp63), rm), r(uint64_t{0xfffffffffffff800}, 0));
    EXPECT_EQ(call(f32_to_u64, F(0x1.fffffep63f), rm), r(uint64_t{0xffffff0000000000}, 0));
    EXPECT_EQ(call(f64_to_i64, D(-0x1p63), rm), r(kI64Min, 0));
    EXPECT_EQ(call(f64_to_u32, D(-1.0), rm), r(uint32_t{0}, Invalid));
    EXPECT_EQ(call(f64_to_u64, D(-1e300), rm), r(uint64_t{0}, Invalid));
  }
  // Rounding decides whether a value just outside the range saturates.
  EXPECT_EQ(call(f64_to_i32, D(2147483647.5), RTZ), r(kI32Max, Inexact));
  EXPECT_EQ(call(f64_to_i32, D(2147483647.5), RNE), r(kI32Max, Invalid));
  EXPECT_EQ(call(f64_to_i32, D(-2147483648.5), RNE), r(kI32Min, Inexact));
  EXPECT_EQ(call(f64_to_i32, D(-2147483648.5), RMM), r(kI32Min, Invalid));
  EXPECT_EQ(call(f64_to_i32, D(-2147483648.5), RUP), r(kI32Min, Inexact));
  EXPECT_EQ(call(f64_to_i32, D(-2147483648.5), RDN), r(kI32Min, Invalid));
  EXPECT_EQ(call(f64_to_u32, D(4294967295.5), RTZ), r(kU32Max, Inexact));
  EXPECT_EQ(call(f64_to_u32, D(4294967295.5), RUP), r(kU32Max, Invalid));
  // Negative values that round to zero are fine for unsigned targets; to -1 they are not.
  EXPECT_EQ(call(f64_to_u32, D(-0.4), RTZ), r(uint32_t{0}, Inexact));
  EXPECT_EQ(call(f64_to_u32, D(-0.4), RNE), r(uint32_t{0}, Inexact));
  EXPECT_EQ(call(f64_to_u32, D(-0.4), RDN), r(uint32_t{0}, Invalid));
  EXPECT_EQ(call(f64_to_u64, D(-0.5), RNE), r(uint64_t{0}, Inexact));
  EXPECT_EQ(call(f64_to_u64, D(-0.5), RMM), r(uint64_t{0}, Invalid));
  EXPECT_EQ(call(f32_to_u32, F(-0.9f), RUP), r(uint32_t{0}, Inexact));
  EXPECT_EQ(call(f32_to_u32, F(-0.9f), RTZ), r(uint32_t{0}, Inexact));
  EXPECT_EQ(call(f32_to_u64, F(-0.6f), RNE), r(uint64_t{0}, Invalid));
}

TEST(FpCases, IntToFloat) {
  for (Round rm : kAllModes) {
    EXPECT_EQ(call(i32_to_f32, 0, rm), r(0u, 0));  // +0 even when rounding down
    EXPECT_EQ(call(i64_to_f64, int64_t{0}, rm), r(uint64_t{0}, 0));
    EXPECT_EQ(call(i64_to_f64, std::numeric_limits<int64_t>::min(), rm), r(D(-0x1p63), 0));
    EXPECT_EQ(call(i32_to_f64, std::numeric_limits<int32_t>::min(), rm), r(D(-0x1p31), 0));
    EXPECT_EQ(call(u32_to_f64, ~0u, rm), r(D(4294967295.0), 0));
  }
  EXPECT_EQ(call(u64_to_f64, ~uint64_t{0}, RNE), r(D(0x1p64), Inexact));
  EXPECT_EQ(call(u64_to_f64, ~uint64_t{0}, RTZ), r(D(0x1.fffffffffffffp63), Inexact));
  EXPECT_EQ(call(u64_to_f32, ~uint64_t{0}, RDN), r(F(0x1.fffffep63f), Inexact));
  EXPECT_EQ(call(i32_to_f32, (1 << 24) + 1, RUP), r(F(0x1p24f + 2), Inexact));
  EXPECT_EQ(call(i32_to_f32, -(1 << 24) - 1, RUP), r(F(-0x1p24f), Inexact));
  EXPECT_EQ(call(u32_to_f32, ~0u, RTZ), r(F(0x1.fffffep31f), Inexact));
}

TEST(FpCases, NaNResultsAreCanonical) {
  EXPECT_EQ(call(f32_add, kQNaN32, F(1.0f), RNE), r(kCanonicalNaN32, 0));
  EXPECT_EQ(call(f32_add, F(1.0f), kNegQNaN32, RNE), r(kCanonicalNaN32, 0));
  EXPECT_EQ(call(f32_add, kSNaN32, F(1.0f), RNE), r(kCanonicalNaN32, Invalid));
  EXPECT_EQ(call(f64_sub, kQNaN64, kSNaN64, RNE), r(kCanonicalNaN64, Invalid));
  EXPECT_EQ(call(f64_mul, kNegQNaN64, D(0.0), RNE), r(kCanonicalNaN64, 0));
  EXPECT_EQ(call(f64_div, D(1.0), kSNaN64, RNE), r(kCanonicalNaN64, Invalid));
  EXPECT_EQ(call(f64_sqrt, kNegQNaN64, RNE), r(kCanonicalNaN64, 0));
  EXPECT_EQ(call(f32_sqrt, kSNaN32 | 0x80000000u, RNE), r(kCanonicalNaN32, Invalid));
  EXPECT_EQ(call(f32_to_f64, kSNaN32), r(kCanonicalNaN64, Invalid));
  EXPECT_EQ(call(f32_to_f64, kNegQNaN32), r(kCanonicalNaN64, 0));
  EXPECT_EQ(call(f64_to_f32, kNegQNaN64, RNE), r(kCanonicalNaN32, 0));
  EXPECT_EQ(call(f64_to_f32, kSNaN64, RNE), r(kCanonicalNaN32, Invalid));
  // Invalid operations.
  EXPECT_EQ(call(f64_add, kInf64, kNegInf64, RNE), r(kCanonicalNaN64, Invalid));
  EXPECT_EQ(call(f64_sub, kInf64, kInf64, RNE), r(kCanonicalNaN64, Invalid));
  EXPECT_EQ(call(f64_add, kInf64, kInf64, RNE), r(kInf64, 0));
  EXPECT_EQ(call(f32_mul, kInf32, 0u, RNE), r(kCanonicalNaN32, Invalid));
  EXPECT_EQ(call(f64_mul, 0x8000000000000000, kNegInf64, RNE), r(kCanonicalNaN64, Invalid));
  EXPECT_EQ(call(f64_div, D(0.0), D(-0.0), RNE), r(kCanonicalNaN64, Invalid));
  EXPECT_EQ(call(f32_div, kInf32, kNegInf32, RNE), r(kCanonicalNaN32, Invalid));
  EXPECT_EQ(call(f64_sqrt, D(-1.0), RNE), r(kCanonicalNaN64, Invalid));
  EXPECT_EQ(call(f32_sqrt, kNegInf32, RNE), r(kCanonicalNaN32, Invalid));
  EXPECT_EQ(call(f64_sqrt, uint64_t{0x8000000000000001}, RNE), r(kCanonicalNaN64, Invalid));
  // Division by zero.
  EXPECT_EQ(call(f64_div, D(1.0), D(0.0), RNE), r(kInf64, DivByZero));
  EXPECT_EQ(call(f64_div, D(-1.0), D(0.0), RTZ), r(kNegInf64, DivByZero));
  EXPECT_EQ(call(f32_div, 1u, F(-0.0f), RNE), r(kNegInf32, DivByZero));
  EXPECT_EQ(call(f64_div, kInf64, D(0.0), RNE), r(kInf64, 0));
  EXPECT_EQ(call(f64_div, D(5.0), kInf64, RNE), r(D(0.0), 0));
}

TEST(FpCases, MulAddSpecialCases) {
  // inf * 0 is invalid even when the addend is a quiet NaN.
  EXPECT_EQ(call(f64_muladd, kInf64, D(0.0), kQNaN64, false, false, RNE), r(kCanonicalNaN64, Invalid));
  EXPECT_EQ(call(f32_muladd, 0u, kNegInf32, kQNaN32, true, true, RNE), r(kCanonicalNaN32, Invalid));
  // A NaN factor is merely propagated (no Invalid without a signaling NaN).
  EXPECT_EQ(call(f64_muladd, kQNaN64, D(0.0), kInf64, false, false, RNE), r(kCanonicalNaN64, 0));
  EXPECT_EQ(call(f64_muladd, kQNaN64, D(1.0), kSNaN64, false, false, RNE), r(kCanonicalNaN64, Invalid));
  EXPECT_EQ(call(f64_muladd, D(1.0), D(1.0), kQNaN64, false, false, RNE), r(kCanonicalNaN64, 0));
  EXPECT_EQ(call(f32_muladd, F(2.0f), F(3.0f), kSNaN32, false, false, RNE), r(kCanonicalNaN32, Invalid));
  // inf - inf between product and addend; the negations take part.
  EXPECT_EQ(call(f64_muladd, kInf64, D(1.0), kNegInf64, false, false, RNE), r(kCanonicalNaN64, Invalid));
  EXPECT_EQ(call(f64_muladd, kInf64, D(1.0), kInf64, false, true, RNE), r(kCanonicalNaN64, Invalid));
  EXPECT_EQ(call(f64_muladd, kInf64, D(1.0), kNegInf64, true, false, RNE), r(kNegInf64, 0));
  EXPECT_EQ(call(f64_muladd, D(2.0), D(3.0), kNegInf64, false, false, RNE), r(kNegInf64, 0));
  EXPECT_EQ(call(f64_muladd, D(2.0), D(3.0), kNegInf64, false, true, RNE), r(kInf64, 0));
  // fmadd/fmsub/fnmsub/fnmadd of 2*3 and 1.
  EXPECT_EQ(call(f64_muladd, D(2.0), D(3.0), D(1.0), false, false, RNE), r(D(7.0), 0));
  EXPECT_EQ(call(f64_muladd, D(2.0), D(3.0), D(1.0), false, true, RNE), r(D(5.0), 0));
  EXPECT_EQ(call(f64_muladd, D(2.0), D(3.0), D(1.0), true, false, RNE), r(D(-5.0), 0));
  EXPECT_EQ(call(f64_muladd, D(2.0), D(3.0), D(1.0), true, true, RNE), r(D(-7.0), 0));
  // A single rounding: (1 + 2^-30)^2 - 1 keeps the 2^-60 term a separate multiply would lose.
  EXPECT_EQ(call(f64_muladd, D(1.0 + 0x1p-30), D(1.0 + 0x1p-30), D(-1.0), false, false, RNE),
            r(D(0x1p-29 + 0x1p-60), 0));
  // The overflowing product is brought back into range by the addend only in exact arithmetic.
  EXPECT_EQ(call(f64_muladd, kMax64, D(2.0), kNegInf64, false, false, RNE), r(kNegInf64, 0));
  EXPECT_EQ(call(f32_muladd, F(0x1p100f), F(0x1p100f), F(-0x1p100f), false, false, RNE),
            r(kInf32, Overflow | Inexact));
}

TEST(FpCases, SignedZeros) {
  EXPECT_EQ(call(f64_add, D(0.0), D(-0.0), RNE), r(D(0.0), 0));
  EXPECT_EQ(call(f64_add, D(0.0), D(-0.0), RDN), r(D(-0.0), 0));
  EXPECT_EQ(call(f64_add, D(-0.0), D(-0.0), RNE), r(D(-0.0), 0));
  EXPECT_EQ(call(f64_sub, D(-0.0), D(0.0), RUP), r(D(-0.0), 0));
  EXPECT_EQ(call(f64_sub, D(1.5), D(1.5), RNE), r(D(0.0), 0));
  EXPECT_EQ(call(f64_sub, D(1.5), D(1.5), RDN), r(D(-0.0), 0));
  EXPECT_EQ(call(f32_add, F(-3.0f), F(3.0f), RMM), r(F(0.0f), 0));
  EXPECT_EQ(call(f32_add, F(-0.0f), 5u, RNE), r(5u, 0));  // subnormal passes through exactly
  EXPECT_EQ(call(f64_mul, D(-0.0), D(3.0), RNE), r(D(-0.0), 0));
  EXPECT_EQ(call(f64_div, D(0.0), D(-3.0), RNE), r(D(-0.0), 0));
  EXPECT_EQ(call(f64_sqrt, D(-0.0), RNE), r(D(-0.0), 0));
  EXPECT_EQ(call(f32_sqrt, F(-0.0f), RDN), r(F(-0.0f), 0));
  EXPECT_EQ(call(f64_muladd, D(0.0), D(1.0), D(-0.0), false, false, RNE), r(D(0.0), 0));
  EXPECT_EQ(call(f64_muladd, D(0.0), D(1.0), D(-0.0), false, false, RDN), r(D(-0.0), 0));
  EXPECT_EQ(call(f64_muladd, D(0.0), D(1.0), D(0.0), true, true, RNE), r(D(-0.0), 0));
  EXPECT_EQ(call(f64_muladd, D(1.0), D(1.0), D(-1.0), false, false, RNE), r(D(0.0), 0));
  EXPECT_EQ(call(f64_muladd, D(1.0), D(1.0), D(-1.0), false, false, RDN), r(D(-0.0), 0));
  EXPECT_EQ(call(f64_muladd, D(-0.0), D(1.0), D(2.0), false, false, RNE), r(D(2.0), 0));
  // A nonzero product too small to show keeps its sign.
  EXPECT_EQ(call(f64_muladd, D(0x1p-600), D(-0x1p-600), D(0.0), false, false, RNE), r(D(-0.0), Underflow | Inexact));
  EXPECT_EQ(call(f64_muladd, D(0x1p-600), D(-0x1p-600), D(0.0), false, false, RDN),
            r(kMinSub64 | (uint64_t{1} << 63), Underflow | Inexact));
}

TEST(FpCases, MinMax) {
  EXPECT_EQ(call(f64_min, D(-0.0), D(0.0)), r(D(-0.0), 0));
  EXPECT_EQ(call(f64_min, D(0.0), D(-0.0)), r(D(-0.0), 0));
  EXPECT_EQ(call(f64_max, D(-0.0), D(0.0)), r(D(0.0), 0));
  EXPECT_EQ(call(f32_max, F(0.0f), F(-0.0f)), r(F(0.0f), 0));
  EXPECT_EQ(call(f32_min, F(0.0f), F(-0.0f)), r(F(-0.0f), 0));
  EXPECT_EQ(call(f64_min, D(1.0), D(2.0)), r(D(1.0), 0));
  EXPECT_EQ(call(f64_max, D(-1.0), D(-2.0)), r(D(-1.0), 0));
  EXPECT_EQ(call(f64_min, kNegInf64, D(-1e300)), r(kNegInf64, 0));
  EXPECT_EQ(call(f32_max, kInf32, kMax32), r(kInf32, 0));
  // One NaN: the other operand; a signaling NaN also raises Invalid.
  EXPECT_EQ(call(f64_min, kQNaN64, D(1.0)), r(D(1.0), 0));
  EXPECT_EQ(call(f64_max, D(-1.0), kNegQNaN64), r(D(-1.0), 0));
  EXPECT_EQ(call(f64_min, kSNaN64, D(1.0)), r(D(1.0), Invalid));
  EXPECT_EQ(call(f32_max, F(-0.0f), kSNaN32), r(F(-0.0f), Invalid));
  // Two NaNs: the canonical NaN.
  EXPECT_EQ(call(f64_max, kQNaN64, kNegQNaN64), r(kCanonicalNaN64, 0));
  EXPECT_EQ(call(f32_min, kSNaN32, kQNaN32), r(kCanonicalNaN32, Invalid));
  EXPECT_EQ(call(f32_max, kQNaN32, kSNaN32), r(kCanonicalNaN32, Invalid));
}

TEST(FpCases, Compare) {
  EXPECT_EQ(call(f64_eq, D(-0.0), D(0.0)), r(true, 0));
  EXPECT_EQ(call(f64_lt, D(-0.0), D(0.0)), r(false, 0));
  EXPECT_EQ(call(f64_le, D(0.0), D(-0.0)), r(true, 0));
  EXPECT_EQ(call(f32_lt, F(-2.0f), F(-1.0f)), r(true, 0));
  EXPECT_EQ(call(f32_lt, F(-1.0f), F(-2.0f)), r(false, 0));
  EXPECT_EQ(call(f32_le, kNegInf32, F(-0.0f)), r(true, 0));
  EXPECT_EQ(call(f32_lt, 1u, 2u), r(true, 0));  // subnormals
  EXPECT_EQ(call(f64_le, D(1.0), D(1.0)), r(true, 0));
  EXPECT_EQ(call(f64_lt, D(1.0), D(1.0)), r(false, 0));
  // feq is quiet: Invalid only for signaling NaNs; flt/fle signal on any NaN.
  EXPECT_EQ(call(f64_eq, kQNaN64, kQNaN64), r(false, 0));
  EXPECT_EQ(call(f64_eq, kSNaN64, D(1.0)), r(false, Invalid));
  EXPECT_EQ(call(f32_eq, F(1.0f), kSNaN32), r(false, Invalid));
  EXPECT_EQ(call(f64_lt, kQNaN64, D(1.0)), r(false, Invalid));
  EXPECT_EQ(call(f32_le, F(1.0f), kQNaN32), r(false, Invalid));
}

TEST(FpCases, Classify) {
  EXPECT_EQ(f64_classify(kNegInf64), 1u << 0);
  EXPECT_EQ(f64_classify(D(-1.0)), 1u << 1);
  EXPECT_EQ(f64_classify(kMinSub64 | (uint64_t{1} << 63)), 1u << 2);
  EXPECT_EQ(f64_classify(D(-0.0)), 1u << 3);
  EXPECT_EQ(f64_classify(D(0.0)), 1u << 4);
  EXPECT_EQ(f64_classify(0x000fffffffffffff), 1u << 5);
  EXPECT_EQ(f64_classify(kMinNorm64), 1u << 6);
  EXPECT_EQ(f64_classify(kMax64), 1u << 6);
  EXPECT_EQ(f64_classify(kInf64), 1u << 7);
  EXPECT_EQ(f64_classify(kSNaN64), 1u << 8);
  EXPECT_EQ(f64_classify(0xfff7ffffffffffff), 1u << 8);
  EXPECT_EQ(f64_classify(kCanonicalNaN64), 1u << 9);
  EXPECT_EQ(f64_classify(kNegQNaN64), 1u << 9);

  EXPECT_EQ(f32_classify(kNegInf32), 1u << 0);
  EXPECT_EQ(f32_classify(F(-3.5f)), 1u << 1);
  EXPECT_EQ(f32_classify(0x807fffffu), 1u << 2);
  EXPECT_EQ(f32_classify(0x80000000u), 1u << 3);
  EXPECT_EQ(f32_classify(0u), 1u << 4);
  EXPECT_EQ(f32_classify(1u), 1u << 5);
  EXPECT_EQ(f32_classify(kMax32), 1u << 6);
  EXPECT_EQ(f32_classify(kInf32), 1u << 7);
  EXPECT_EQ(f32_classify(kSNaN32), 1u << 8);
  EXPECT_EQ(f32_classify(kCanonicalNaN32), 1u << 9);
}

TEST(FpCases, TininessIsDetectedAfterRounding) {
  // (1 - 2^-52) * (2^-1022 * (1 + 2^-52)) = 2^-1022 * (1 - 2^-104): rounded to 53
  // bits with unbounded exponent it is 2^-1022, so not tiny in RNE -> no Underflow.
  const uint64_t a = D(1.0 - 0x1p-52), b = kMinNorm64 + 1;
  EXPECT_EQ(call(f64_mul, a, b, RNE), r(kMinNorm64, Inexact));
  EXPECT_EQ(call(f64_mul, a, b, RUP), r(kMinNorm64, Inexact));
  // Toward zero it stays below 2^-1022: tiny and inexact.
  EXPECT_EQ(call(f64_mul, a, b, RTZ), r(kMinNorm64 - 1, Underflow | Inexact));
  // 2^-1022 * (1 - 2^-53) is exact at 53 bits, so tiny; the subnormal rounding is
  // a tie that RNE resolves up to 2^-1022, still with Underflow.
  EXPECT_EQ(call(f64_mul, D(1.0 - 0x1p-53), kMinNorm64, RNE), r(kMinNorm64, Underflow | Inexact));
  // Exact subnormal results raise no Underflow.
  EXPECT_EQ(call(f64_mul, kMinNorm64, D(0.5), RNE), r(kMinNorm64 / 2, 0));
  EXPECT_EQ(call(f32_sub, 0x00800000u, 1u, RNE), r(0x007fffffu, 0));
  EXPECT_EQ(call(f64_to_f32, D(0x1p-149), RNE), r(1u, 0));
  EXPECT_EQ(call(f64_to_f32, D(0x1p-150), RNE), r(0u, Underflow | Inexact));
  EXPECT_EQ(call(f64_to_f32, D(0x1.8p-150), RNE), r(1u, Underflow | Inexact));
  EXPECT_EQ(call(f64_to_f32, D(-0x1p-1074), RDN), r(0x80000001u, Underflow | Inexact));
}

TEST(FpCases, OverflowDependsOnRoundingMode) {
  EXPECT_EQ(call(f64_mul, kMax64, D(2.0), RNE), r(kInf64, Overflow | Inexact));
  EXPECT_EQ(call(f64_mul, kMax64, D(2.0), RTZ), r(kMax64, Overflow | Inexact));
  EXPECT_EQ(call(f64_mul, kMax64, D(2.0), RDN), r(kMax64, Overflow | Inexact));
  EXPECT_EQ(call(f64_mul, kMax64, D(-2.0), RDN), r(kNegInf64, Overflow | Inexact));
  EXPECT_EQ(call(f64_mul, kMax64, D(-2.0), RUP), r(kMax64 | (uint64_t{1} << 63), Overflow | Inexact));
  EXPECT_EQ(call(f64_to_f32, D(1e300), RNE), r(kInf32, Overflow | Inexact));
  EXPECT_EQ(call(f64_to_f32, D(-1e300), RTZ), r(kMax32 | 0x80000000u, Overflow | Inexact));
  EXPECT_EQ(call(f64_to_f32, kMax64, RUP), r(kInf32, Overflow | Inexact));
  EXPECT_EQ(call(f64_to_f32, kInf64, RTZ), r(kInf32, 0));
  // Rounding up to exactly the overflow threshold.
  EXPECT_EQ(call(f64_add, kMax64, D(0x1p969), RNE), r(kMax64, Inexact));
  EXPECT_EQ(call(f64_add, kMax64, D(0x1p969), RUP), r(kInf64, Overflow | Inexact));
  EXPECT_EQ(call(f64_add, kMax64, D(0x1p970), RNE), r(kInf64, Overflow | Inexact));  // tie, odd max
}

TEST(FpCases, WideningAndFlagsAccrue) {
  EXPECT_EQ(call(f32_to_f64, 1u), r(D(0x1p-149), 0));
  EXPECT_EQ(call(f32_to_f64, 0x807fffffu), r(D(-0x1.fffffcp-127), 0));
  EXPECT_EQ(call(f32_to_f64, kNegInf32), r(kNegInf64, 0));
  EXPECT_EQ(call(f32_to_f64, F(-0.0f)), r(D(-0.0), 0));
  uint8_t flags = Inexact | DivByZero;
  EXPECT_EQ(f64_add(D(1.0), D(2.0), RNE, flags), D(3.0));
  EXPECT_EQ(flags, Inexact | DivByZero);
  f64_sqrt(D(-1.0), RNE, flags);
  EXPECT_EQ(flags, Inexact | DivByZero | Invalid);
}

TEST(FpCases, SqrtExactAndRounded) {
  EXPECT_EQ(call(f64_sqrt, D(4.0), RNE), r(D(2.0), 0));
  EXPECT_EQ(call(f64_sqrt, D(0x1p-1074), RNE), r(D(0x1p-537), 0));
  EXPECT_EQ(call(f64_sqrt, D(2.0), RNE), r(D(0x1.6a09e667f3bcdp0), Inexact));
  EXPECT_EQ(call(f64_sqrt, D(2.0), RUP), r(D(0x1.6a09e667f3bcdp0), Inexact));
  EXPECT_EQ(call(f64_sqrt, D(2.0), RTZ), r(D(0x1.6a09e667f3bccp0), Inexact));
  EXPECT_EQ(call(f32_sqrt, F(2.0f), RMM), r(F(0x1.6a09e6p0f), Inexact));
  EXPECT_EQ(call(f64_sqrt, kInf64, RNE), r(kInf64, 0));
  EXPECT_EQ(call(f32_sqrt, 1u, RNE), r(F(0x1.6a09e6p-75f), Inexact));
}

}  // namespace
}  // namespace vessel::fp
