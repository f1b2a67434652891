/* Zicond: czero.eqz (rd = rs2 == 0 ? 0 : rs1) and czero.nez (rd = rs2 != 0 ? 0 : rs1), with
   rd equal to either source. The assembler predates Zicond: encoded with .insn. */
#include "vt.h"
  .macro czero_eqz rd, rs1, rs2
  .insn r 0x33, 5, 7, \rd, \rs1, \rs2
  .endm
  .macro czero_nez rd, rs1, rs2
  .insn r 0x33, 7, 7, \rd, \rs1, \rs2
  .endm
VT_CODE
  TEST_RR(1, czero_eqz, 0, 5, 0)
  TEST_RR(2, czero_eqz, 5, 5, 1)
  TEST_RR(3, czero_eqz, -7, -7, 0x8000000000000000)   /* any nonzero condition */
  TEST_RR(4, czero_nez, 5, 5, 0)
  TEST_RR(5, czero_nez, 0, 5, -1)
  TEST_RR(6, czero_nez, 0, -7, 0x100000000)           /* all 64 bits of the condition count */
  TEST_RR_SRC1(7, czero_eqz, 9, 9, 2)
  TEST_RR_SRC2(8, czero_eqz, 9, 9, 2)
  TEST_RR_SRC2(9, czero_nez, 0, 9, 2)
  TEST_RR_SRC1(10, czero_nez, 0, 9, 2)
  /* A branch-free select: a0 = cond ? a1 : a2 */
  TEST(11); li t0, 1; li a1, 111; li a2, 222
  czero_eqz t1, a1, t0; czero_nez t2, a2, t0; or a0, t1, t2; CHECK(a0, 111)
  TEST(12); li t0, 0
  czero_eqz t1, a1, t0; czero_nez t2, a2, t0; or a0, t1, t2; CHECK(a0, 222)
VT_PASS
VT_DATA
