/* RV64M: mul/mulh/mulhsu/mulhu/mulw, div/divu/rem/remu and W forms, with division by
   zero (quotient all ones, remainder = dividend) and signed overflow (quotient = dividend,
   remainder 0); W forms sign-extend their 32-bit results. */
#include "vt.h"
#define MIN64 0x8000000000000000
#define MAX64 0x7fffffffffffffff
VT_CODE
  TEST_RR(1, mul, 0, 0, 0)
  TEST_RR(2, mul, 6, 2, 3)
  TEST_RR(3, mul, -6, -2, 3)
  TEST_RR(4, mul, 1, -1, -1)
  TEST_RR(5, mul, MIN64, MIN64, -1)
  TEST_RR(6, mul, 0x0000000000000001, MAX64, MAX64)
  TEST_RR(7, mul, 0xfedcba9876543210 * 0x10, 0xfedcba9876543210, 0x10)
  TEST_RR_SRC1(8, mul, 143, 13, 11)
  TEST_RR_SRC2(9, mul, 154, 14, 11)
  TEST_RR(10, mulh, 0, 1, 1)
  TEST_RR(11, mulh, -1, -1, 1)
  TEST_RR(12, mulh, 0, -1, -1)
  TEST_RR(13, mulh, 0x4000000000000000, MIN64, MIN64)
  TEST_RR(14, mulh, 0xc000000000000000, MIN64, MAX64)
  TEST_RR(15, mulh, 0x3fffffffffffffff, MAX64, MAX64)
  TEST_RR(16, mulhu, 0xfffffffffffffffe, -1, -1)
  TEST_RR(17, mulhu, 0x4000000000000000, MIN64, MIN64)
  TEST_RR(18, mulhu, 0, -1, 1)
  TEST_RR(19, mulhu, 0x3fffffffffffffff, MIN64, MAX64)
  TEST_RR(20, mulhsu, 0xffffffffffffffff, -1, -1)   /* -1 * (2^64-1) = -(2^64-1) -> high = -1 */
  TEST_RR(21, mulhsu, 0xc000000000000000, MIN64, MIN64)
  TEST_RR(22, mulhsu, 0, 1, -1)
  TEST_RR(23, mulhsu, 0x7ffffffffffffffe, MAX64, -1)
  TEST_RR(24, mulhsu, 0xffffffffffffffff, -1, 1)
  TEST_RR(25, mulw, 0xffffffff80000000, 0x80000000, 1)
  TEST_RR(26, mulw, 0x0000000000000001, 0xffffffff, 0xffffffff)
  TEST_RR(27, mulw, 0xffffffff80000000, 0x10000, 0x8000)
  TEST_RR(28, mulw, 6, 0x1234567800000002, 0xabcdef0000000003)
  TEST_RR(29, mulw, 0, 0x10000, 0x10000)

  /* div / divu */
  TEST_RR(40, div, 3, 20, 6)
  TEST_RR(41, div, -3, -20, 6)
  TEST_RR(42, div, -3, 20, -6)
  TEST_RR(43, div, 3, -20, -6)
  TEST_RR(44, div, -1, 5, 0)                 /* division by zero */
  TEST_RR(45, div, -1, 0, 0)
  TEST_RR(46, div, MIN64, MIN64, -1)         /* overflow */
  TEST_RR(47, div, 0, 0, 5)
  TEST_RR(48, divu, 3, 20, 6)
  TEST_RR(49, divu, 0x2aaaaaaaaaaaaaa7, -20, 6)
  TEST_RR(50, divu, 0, 20, -6)
  TEST_RR(51, divu, -1, 5, 0)
  TEST_RR(52, divu, -1, 0, 0)
  TEST_RR(53, divu, 0, MIN64, -1)
  TEST_RR(54, divu, 1, -1, -1)
  TEST_RR(55, rem, 2, 20, 6)
  TEST_RR(56, rem, -2, -20, 6)
  TEST_RR(57, rem, 2, 20, -6)
  TEST_RR(58, rem, -2, -20, -6)
  TEST_RR(59, rem, 5, 5, 0)                  /* remainder by zero = dividend */
  TEST_RR(60, rem, MIN64, MIN64, 0)
  TEST_RR(61, rem, 0, MIN64, -1)             /* overflow: remainder 0 */
  TEST_RR(62, remu, 2, 20, 6)
  TEST_RR(63, remu, 2, -20, 6)
  TEST_RR(64, remu, 20, 20, -6)
  TEST_RR(65, remu, -20, -20, 0)
  TEST_RR(66, remu, MIN64, MIN64, -1)
  /* W forms: operate on low 32 bits, sign-extend the 32-bit result */
  TEST_RR(70, divw, 3, 20, 6)
  TEST_RR(71, divw, -3, 0xffffffffffffffec, 6)
  TEST_RR(72, divw, -3, 0x00000000ffffffec, 6)      /* upper bits ignored */
  TEST_RR(73, divw, -1, 5, 0x100000000)             /* divisor low 32 bits zero */
  TEST_RR(74, divw, 0xffffffff80000000, 0x80000000, -1)   /* overflow */
  TEST_RR(75, divuw, 0x2aaaaaa7, 0xffffffec, 6)
  TEST_RR(76, divuw, -1, 5, 0)
  TEST_RR(77, divuw, 0xffffffff80000000, 0x80000000, 1)   /* result sign-extended */
  TEST_RR(78, divuw, 0, 0x80000000, 0xffffffff)
  TEST_RR(79, remw, 2, 20, 6)
  TEST_RR(80, remw, -2, 0xffffffec, 6)
  TEST_RR(81, remw, 5, 5, 0)
  TEST_RR(82, remw, 0xffffffff80000000, 0x80000000, 0)    /* dividend sign-extended */
  TEST_RR(83, remw, 0, 0x80000000, -1)
  TEST_RR(84, remuw, 2, 0xffffffec, 6)
  TEST_RR(85, remuw, 0xffffffffffffffec, 0xffffffec, 0)   /* = dividend, sign-extended */
  TEST_RR(86, remuw, 0xffffffff80000000, 0x80000000, 0xffffffff)
  TEST_RR(87, remuw, 1, 0x1234567800000007, 0xabcdef0000000003)
  /* rd = x0 */
  TEST(90)
  li a1, 7
  li a2, 0
  div x0, a1, a2
  mul x0, a1, a1
  CHECK(x0, 0)
  VT_PASS
