/* Zba, Zbb, Zbs: every instruction with edge cases (shift amounts masked to 6 or 5 bits,
   W forms ignoring the upper half and sign-extending, .uw forms ignoring it and
   zero-extending, clz/ctz of zero, rev8, orc.b), and rd == rs1 / rd == rs2. */
#include "vt.h"
  .option arch, +zba, +zbb, +zbs
#define MIN64 0x8000000000000000
#define MAX64 0x7fffffffffffffff
VT_CODE
  /* ---- Zba: rd = rs2 + (rs1 << n) */
  TEST_RR(1, sh1add, 16, 3, 10)
  TEST_RR(2, sh2add, 22, 3, 10)
  TEST_RR(3, sh3add, 34, 3, 10)
  TEST_RR(4, sh3add, 0xfffffffffffffff8, -1, 0)
  TEST_RR(5, sh1add, 1, MIN64, 1)                    /* the top bit shifts out */
  TEST_RR_SRC1(6, sh2add, 0x104, 0x40, 4)
  TEST_RR_SRC2(7, sh3add, 0x204, 0x40, 4)
  TEST_RR(8, add.uw, 0x80000001, 0xffffffff80000000, 1)
  TEST_RR(9, add.uw, 0xfffffffe, -1, -1)
  TEST_RR(10, sh1add.uw, 0x100000002, 0x180000000, 2)
  TEST_RR(11, sh2add.uw, 8, 0xffffffff00000003, -4)
  TEST_RR(12, sh3add.uw, 0x1008, 0xdeadbeef00000001, 0x1000)   /* high bits of rs1 ignored */
  TEST_RR(13, sh3add.uw, 0x7fffffff8, -1, 0)
  TEST_RI(14, slli.uw, 0x800000010, 0xffffffff80000001, 4)
  TEST_RI(15, slli.uw, 0xffffffff00000000, 0x12345678ffffffff, 32)
  TEST_RI(16, slli.uw, MIN64, 1, 63)
  TEST_RI(17, slli.uw, 0, 0xfffffffe, 63)
  TEST_R(18, zext.w, 0x80000000, 0xffffffff80000000)   /* add.uw rd, rs, zero */

  /* ---- Zbb: logic with negation */
  TEST_RR(20, andn, 0xf000, 0xff00, 0x0ff0)
  TEST_RR(21, orn, 0xff, 0, 0xffffffffffffff00)
  TEST_RR(22, xnor, 0xfffffffffffff00f, 0xff, 0xf0f)
  TEST_RR_SRC2(23, andn, 0, -1, -1)
  /* count leading/trailing zeros, population count */
  TEST_R(30, clz, 64, 0)
  TEST_R(31, clz, 63, 1)
  TEST_R(32, clz, 0, -1)
  TEST_R(33, clz, 8, 0x00ff000000000000)
  TEST_R(34, ctz, 64, 0)
  TEST_R(35, ctz, 63, MIN64)
  TEST_R(36, ctz, 4, 0x10)
  TEST_R(37, cpop, 0, 0)
  TEST_R(38, cpop, 64, -1)
  TEST_R(39, cpop, 8, 0xf0f0)
  TEST_R(40, clzw, 32, 0)
  TEST_R(41, clzw, 31, 0xffffffff00000001)           /* the upper half is ignored */
  TEST_R(42, clzw, 0, 0x80000000)
  TEST_R(43, ctzw, 32, 0)
  TEST_R(44, ctzw, 32, 0x100000000)
  TEST_R(45, ctzw, 31, 0x80000000)
  TEST_R(46, cpopw, 32, -1)
  TEST_R(47, cpopw, 2, 0xff00000000000003)
  /* min/max */
  TEST_RR(50, max, 1, -1, 1)
  TEST_RR(51, maxu, -1, -1, 1)
  TEST_RR(52, min, -1, -1, 1)
  TEST_RR(53, minu, 1, -1, 1)
  TEST_RR(54, min, MIN64, MIN64, MAX64)
  TEST_RR(55, max, MAX64, MIN64, MAX64)
  TEST_RR_SRC1(56, minu, 3, 3, 3)
  /* sign and zero extension */
  TEST_R(60, sext.b, 0xffffffffffffff80, 0x80)
  TEST_R(61, sext.b, 0x7f, 0x17f)
  TEST_R(62, sext.h, 0xffffffffffff8000, 0x8000)
  TEST_R(63, sext.h, 0x7fff, 0x12347fff)
  TEST_R(64, zext.h, 0x8001, 0xffffffffffff8001)
  /* rotations: amounts masked to 6 bits (5 for W forms) */
  TEST_RR(70, rol, 3, 0x8000000000000001, 1)
  TEST_RR(71, rol, 0x1234, 0x1234, 64)
  TEST_RR(72, ror, MIN64, 1, 1)
  TEST_RR(73, ror, 0xf0123456789abcde, 0x0123456789abcdef, 4)
  TEST_RI(74, rori, 0x123456789abcdef0, 0x0123456789abcdef, 60)
  TEST_RI(75, rori, 0x0123456789abcdef, 0x0123456789abcdef, 0)
  TEST_RR(76, rolw, 3, 0x80000001, 1)
  TEST_RR(77, rolw, 0xffffffff80000000, 0x40000000, 1)
  TEST_RR(78, rorw, 0xffffffff80000000, 1, 1)
  TEST_RR(79, rorw, 1, 0xffffffff00000010, 36)
  TEST_RI(80, roriw, 0x78123456, 0x12345678, 8)
  TEST_RI(81, roriw, 0xfffffffff000000f, 0xffffffff000000ff, 4)
  /* byte operations */
  TEST_R(85, orc.b, 0xffff0000000000ff, 0x0102000000000080)
  TEST_R(86, orc.b, 0, 0)
  TEST_R(87, rev8, 0xefcdab8967452301, 0x0123456789abcdef)
  TEST_R(88, rev8, 0xff, 0xff00000000000000)

  /* ---- Zbs: bit index masked to 6 bits */
  TEST_RR(90, bclr, MAX64, -1, 63)
  TEST_RR(91, bclr, 0xfffffffffffffff7, -1, 67)
  TEST_RI(92, bclri, 0x7f, 0xff, 7)
  TEST_RR(93, bext, 1, MIN64, 63)
  TEST_RR(94, bext, 1, 0x10, 68)
  TEST_RI(95, bexti, 0, 0x10, 3)
  TEST_RI(96, bexti, 1, MIN64, 63)
  TEST_RR(97, binv, MIN64, 0, 63)
  TEST_RI(98, binvi, 0xe, 0xf, 0)
  TEST_RR(99, bset, 0x100000000, 0, 32)
  TEST_RI(100, bseti, MIN64, 0, 63)
  TEST_RR_SRC2(101, bset, 0x21, 1, 5)

  /* rd, rs1 and rs2 one register (the JIT computes in rd's host register) */
  TEST(105); li a1, 3; sh3add a1, a1, a1; sh1add a1, a1, a1; CHECK(a1, 81)
  TEST(106); li a1, 0xffffffff00000002; sh2add.uw a1, a1, a1; CHECK(a1, 0xffffffff0000000a)
  TEST(107); li a1, -5; min a1, a1, a1; andn a2, a1, a1; rol a3, a1, a1; CHECK(a1, -5); CHECK(a2, 0)
  CHECK(a3, 0xfffffffffffffffb << 59 | 0xfffffffffffffffb >> 5)
  /* Results written to x0 are dropped. */
  TEST(110); li a1, 5; clz zero, a1; sh3add zero, a1, a1; CHECK(zero, 0)
VT_PASS
VT_DATA
