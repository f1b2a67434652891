// The integer helpers under the soft-float library: exact square roots at the
// edges of their input ranges and sticky ("jamming") shifts.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "cpu/riscv/fp/wide.h"

namespace vessel::fp::detail {
namespace {

bool isFloorSqrt64(uint64_t n, uint64_t r) { return r * r <= n && (r + 1) * (r + 1) > n; }
bool isFloorSqrt128(u128 n, uint64_t r) {
  return static_cast<u128>(r) * r <= n && static_cast<u128>(r + 1) * (r + 1) > n;
}

TEST(FpWide, SquareRootSmall) {
  EXPECT_EQ(isqrtSmall(uint64_t{1} << 60), uint64_t{1} << 30);
  EXPECT_EQ(isqrtSmall((uint64_t{1} << 62) - 1), (uint64_t{1} << 31) - 1);
  std::mt19937_64 rng(1);
  for (int i = 0; i < 200000; ++i) {
    const uint64_t r = (uint64_t{1} << 30) + rng() % (uint64_t{1} << 30);
    for (uint64_t n : {r * r - 1, r * r, r * r + 2 * r}) {  // around a perfect square
      if (n < (uint64_t{1} << 60)) continue;
      ASSERT_TRUE(isFloorSqrt64(n, isqrtSmall(n))) << n;
    }
  }
}

TEST(FpWide, SquareRootLarge) {
  EXPECT_EQ(isqrtLarge(u128{1} << 124), uint64_t{1} << 62);
  EXPECT_EQ(isqrtLarge((u128{1} << 126) - 1), (uint64_t{1} << 63) - 1);
  std::mt19937_64 rng(2);
  for (int i = 0; i < 200000; ++i) {
    const uint64_t r = (uint64_t{1} << 62) + rng() % (uint64_t{1} << 62);
    const u128 sq = static_cast<u128>(r) * r;
    for (u128 n : {sq - 1, sq, sq + 2 * static_cast<u128>(r)}) {
      ASSERT_TRUE(isFloorSqrt128(n, isqrtLarge(n)));
    }
  }
}

TEST(FpWide, JammingShifts) {
  EXPECT_EQ(shiftRightJam64(0x100, 4), 0x10u);
  EXPECT_EQ(shiftRightJam64(0x101, 4), 0x11u);
  EXPECT_EQ(shiftRightJam64(0x8000000000000000, 63), 1u);
  EXPECT_EQ(shiftRightJam64(1, 64), 1u);
  EXPECT_EQ(shiftRightJam64(1, 1000), 1u);
  EXPECT_EQ(shiftRightJam64(0, 1000), 0u);
  EXPECT_EQ(shiftRightJam64(5, 0), 5u);
  EXPECT_TRUE(shiftRightJam128(u128{1} << 101 | 1, 100) == 3);
  EXPECT_TRUE(shiftRightJam128(u128{1} << 101, 100) == 2);
  EXPECT_TRUE(shiftRightJam128(1, 128) == 1);
  EXPECT_TRUE(shiftRightJam128(0, 200) == 0);
  EXPECT_EQ(clz128(1), 127);
  EXPECT_EQ(clz128(u128{1} << 64), 63);
}

}  // namespace
}  // namespace vessel::fp::detail
