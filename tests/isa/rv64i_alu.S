/* RV64I integer computational instructions: add/sub/logic/compare/shift, their immediate
   and W forms (sign extension of 32-bit results), lui/auipc, writes to x0. */
#include "vt.h"
VT_CODE
  /* add / sub: wrap-around, no overflow trap */
  TEST_RR(1, add, 0, 0, 0)
  TEST_RR(2, add, 3, 1, 2)
  TEST_RR(3, add, 0x8000000000000000, 0x7fffffffffffffff, 1)
  TEST_RR(4, add, 0, -1, 1)
  TEST_RR(5, add, 0xfffffffffffffffe, 0x7fffffffffffffff, 0x7fffffffffffffff)
  TEST_RR_SRC1(6, add, 24, 13, 11)
  TEST_RR_SRC2(7, add, 25, 14, 11)
  TEST_RR(8, sub, 0xffffffffffffffff, 0, 1)
  TEST_RR(9, sub, 0x7fffffffffffffff, 0x8000000000000000, 1)
  TEST_RR(10, sub, 0, -5, -5)
  TEST_RR_SRC1(11, sub, 2, 13, 11)
  TEST_RR(12, addw, 0xffffffff80000000, 0x7fffffff, 1)
  TEST_RR(13, addw, 0, 0xffffffff, 1)
  TEST_RR(14, addw, 0x12345678, 0xabcdef0012345677, 1)
  TEST_RR(15, addw, 0xffffffffffffffff, 0x1ffffffff, 0x100000000)
  TEST_RR(16, subw, 0x7fffffff, 0x80000000, 1)
  TEST_RR(17, subw, 0xffffffffffffffff, 0, 1)
  TEST_RR(18, subw, 0xffffffff80000000, 0x1234567800000000, 0x80000000)
  TEST_RI(19, addi, 0x7ff, 0, 2047)
  TEST_RI(20, addi, 0xfffffffffffff800, 0, -2048)
  TEST_RI(21, addi, 0x8000000000000000, 0x7fffffffffffffff, 1)
  TEST_RI(22, addi, 0x7fffffffffffffff, 0x8000000000000000, -1)
  TEST_RI(23, addiw, 0xffffffff80000000, 0x7fffffff, 1)
  TEST_RI(24, addiw, 0x7fffffff, 0xffffffff80000000, -1)
  TEST_RI(25, addiw, 0xfffffffffffff800, 0xffffffff00000000, -2048)
  TEST_RI(26, addiw, 0x00000000000007ff, 0x12345600000000, 2047)
  /* sext.w is addiw rd, rs, 0 */
  TEST_RI(27, addiw, 0xffffffff87654321, 0x1234567887654321, 0)

  /* logic */
  TEST_RR(30, and, 0x0f000f00, 0xff00ff00, 0x0ff00ff0)
  TEST_RR(31, or, 0xfff0fff0, 0xff00ff00, 0x0ff00ff0)
  TEST_RR(32, xor, 0xf0f0f0f00000000f, 0xff00ff0000000000, 0x0ff00ff00000000f)
  TEST_RI(33, andi, 0xffffffffffffff00, 0xffffffffffffff0f, -256)
  TEST_RI(34, andi, 0x0f, 0xffffffffffffff0f, 0x0ff)
  TEST_RI(35, ori, 0xffffffffffffff0f, 0x000000000000000f, -256)
  TEST_RI(36, xori, 0xffffffffff00f00f, 0x0000000000ff0ff0, -1)
  TEST_RI(37, xori, 0x00ff0ff0, 0x00ff0f00, 0x0f0)

  /* compare */
  TEST_RR(40, slt, 1, -1, 0)
  TEST_RR(41, slt, 0, 0, -1)
  TEST_RR(42, slt, 1, 0x8000000000000000, 0x7fffffffffffffff)
  TEST_RR(43, slt, 0, 5, 5)
  TEST_RR(44, sltu, 0, -1, 0)
  TEST_RR(45, sltu, 1, 0, -1)
  TEST_RR(46, sltu, 0, 0x8000000000000000, 0x7fffffffffffffff)
  TEST_RR(47, sltu, 0, 7, 7)
  TEST_RI(48, slti, 1, -2048, -2047)
  TEST_RI(49, slti, 0, 0x7fffffffffffffff, 2047)
  TEST_RI(50, slti, 1, 0x8000000000000000, 0)
  /* sltiu: the immediate is sign-extended, then compared unsigned */
  TEST_RI(51, sltiu, 1, 0xfffffffffffffffe, -1)
  TEST_RI(52, sltiu, 0, 0xffffffffffffffff, -1)
  TEST_RI(53, sltiu, 1, 0, 1)
  TEST_RI(54, sltiu, 0, 0, 0)

  /* shifts: 64-bit by 0, 1, 31, 32, 63; only the low 6 bits of rs2 count */
  TEST_RR(60, sll, 0x8000000000000000, 1, 63)
  TEST_RR(61, sll, 0x0000000080000000, 1, 31)
  TEST_RR(62, sll, 0x0000000100000000, 1, 32)
  TEST_RR(63, sll, 0x2, 1, 65)
  TEST_RR(64, sll, 0x123456789abcdef0, 0x123456789abcdef0, 64)
  TEST_RR(65, srl, 1, 0x8000000000000000, 63)
  TEST_RR(66, srl, 0x00000001ffffffff, 0xffffffffffffffff, 31)
  TEST_RR(67, srl, 0x7fffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffc1)
  TEST_RR(68, sra, 0xffffffffffffffff, 0x8000000000000000, 63)
  TEST_RR(69, sra, 0xffffffff00000000, 0x8000000000000000, 31)
  TEST_RR(70, sra, 0x3fffffffffffffff, 0x7fffffffffffffff, 1)
  TEST_RR(71, sra, 0xc000000000000000, 0x8000000000000000, 0x41)
  TEST_RI(72, slli, 0x8000000000000000, 0xffffffffffffffff, 63)
  TEST_RI(73, slli, 0xffffffff80000000, 0xffffffffffffffff, 31)
  TEST_RI(74, slli, 0x21, 0x21, 0)
  TEST_RI(75, srli, 0x1, 0x8000000000000000, 63)
  TEST_RI(76, srli, 0x1ffffffff, 0xffffffffffffffff, 31)
  TEST_RI(77, srai, 0xffffffffffffffff, 0x8000000000000000, 63)
  TEST_RI(78, srai, 0xffffffff00000000, 0x8000000000000000, 31)
  TEST_RI(79, srai, 0x00000000fffffffe, 0x7fffffff00000000, 31)
  /* W shifts: operate on the low 32 bits, shift amount low 5 bits, sign-extend result */
  TEST_RR(80, sllw, 0xffffffff80000000, 1, 31)
  TEST_RR(81, sllw, 0x1, 1, 32)
  TEST_RR(82, sllw, 0x0000000012345678, 0xffffffff12345678, 0)
  TEST_RR(83, sllw, 0xffffffff80000000, 0x123456781, 31)
  TEST_RR(84, srlw, 0x1, 0xffffffff80000000, 31)
  TEST_RR(85, srlw, 0xffffffff80000000, 0x0000000080000000, 0)
  TEST_RR(86, srlw, 0x7fffffff, 0xffffffffffffffff, 33)
  TEST_RR(87, sraw, 0xffffffffffffffff, 0x80000000, 31)
  TEST_RR(88, sraw, 0xffffffffc0000000, 0x80000000, 1)
  TEST_RR(89, sraw, 0x0000000000000001, 0xffffffff7fffffff, 30)
  TEST_RR(90, sraw, 0xffffffff80000000, 0x80000000, 32)
  TEST_RI(91, slliw, 0xffffffff80000000, 1, 31)
  TEST_RI(92, slliw, 0x0, 0xffffffff00000000, 5)
  TEST_RI(93, srliw, 0x1, 0x80000000, 31)
  TEST_RI(94, srliw, 0xffffffff80000000, 0xffffffff80000000, 0)
  TEST_RI(95, srliw, 0x0fffffff, 0xffffffffffffffff, 4)
  TEST_RI(96, sraiw, 0xffffffffffffffff, 0x80000000, 31)
  TEST_RI(97, sraiw, 0xfffffffff8000000, 0x80000000, 4)
  TEST_RI(98, sraiw, 0x0000000007ffffff, 0x7fffffff, 4)
  TEST_RI(99, sraiw, 0xffffffff80000000, 0x80000000, 0)

  /* lui / auipc */
  TEST(110)
  lui a0, 0x80000
  CHECK(a0, 0xffffffff80000000)
  TEST(111)
  lui a0, 0x7ffff
  CHECK(a0, 0x7ffff000)
  TEST(112)
  lui a0, 0
  CHECK(a0, 0)
  TEST(113)
  lui a0, 0xfffff
  addi a0, a0, -1
  CHECK(a0, 0xffffffffffffefff)
  TEST(114)
1:
  auipc a0, 0
  la a1, 1b
  CHECK_REG(a0, a1)
  TEST(115)
2:
  auipc a0, 0x80000          /* upper immediate is sign-extended: pc - 2^31 */
  la a1, 2b
  li a2, 0xffffffff80000000
  add a1, a1, a2
  CHECK_REG(a0, a1)
  TEST(116)
3:
  auipc a0, 1
  la a1, 3b
  sub a0, a0, a1
  CHECK(a0, 0x1000)

  /* writes to x0 are discarded */
  TEST(120)
  li a1, 5
  add x0, a1, a1
  addi x0, x0, 7
  lui x0, 0x12345
  auipc x0, 1
  slli x0, a1, 3
  CHECK(x0, 0)
  mv a0, x0
  CHECK(a0, 0)
  TEST(121)
  addi a0, x0, -1          /* x0 reads as zero as a source */
  CHECK(a0, -1)
  TEST(122)
  sub a0, x0, a1
  CHECK(a0, -5)
  /* nop */
  TEST(123)
  li a0, 9
  nop
  addi x0, x0, 0
  CHECK(a0, 9)
  VT_PASS
