/* RV64I control transfer: beq/bne/blt/bge/bltu/bgeu taken and not taken (signed vs
   unsigned edges), jal/jalr link values, jalr clearing bit 0, rd == rs1, x0 links. */
#include "vt.h"

/* TEST_BR_TAKEN: branch must be taken; TEST_BR_NOT: must fall through. */
#define TEST_BR_TAKEN(n, inst, v1, v2) \
  TEST(n); li a1, v1; li a2, v2; inst a1, a2, 8881f; j vt_fail; 8881:
#define TEST_BR_NOT(n, inst, v1, v2) \
  TEST(n); li a1, v1; li a2, v2; inst a1, a2, 8882f; j 8883f; 8882: j vt_fail; 8883:

VT_CODE
  TEST_BR_TAKEN(1, beq, 0, 0)
  TEST_BR_TAKEN(2, beq, -1, -1)
  TEST_BR_NOT(3, beq, 0, 1)
  TEST_BR_NOT(4, beq, 0x100000000, 0)
  TEST_BR_TAKEN(5, bne, 0x100000000, 0)
  TEST_BR_NOT(6, bne, 7, 7)
  TEST_BR_TAKEN(7, blt, -1, 0)
  TEST_BR_TAKEN(8, blt, 0x8000000000000000, 0x7fffffffffffffff)
  TEST_BR_NOT(9, blt, 0, -1)
  TEST_BR_NOT(10, blt, 3, 3)
  TEST_BR_TAKEN(11, bge, 3, 3)
  TEST_BR_TAKEN(12, bge, 0, -1)
  TEST_BR_NOT(13, bge, 0x8000000000000000, 0)
  TEST_BR_TAKEN(14, bltu, 0, -1)
  TEST_BR_TAKEN(15, bltu, 0x7fffffffffffffff, 0x8000000000000000)
  TEST_BR_NOT(16, bltu, -1, 0)
  TEST_BR_NOT(17, bltu, 5, 5)
  TEST_BR_TAKEN(18, bgeu, -1, 0)
  TEST_BR_TAKEN(19, bgeu, 5, 5)
  TEST_BR_NOT(20, bgeu, 0, 0x8000000000000000)
  /* pseudo forms with x0 */
  TEST(21)
  li a1, 0
  beqz a1, 1f
  j vt_fail
1:
  li a1, -3
  bltz a1, 1f
  j vt_fail
1:
  bgez a1, vt_fail_far
  blez a1, 1f
  j vt_fail
1:
  /* backward branch */
  TEST(22)
  li a1, 3
  li a0, 0
1:
  addi a0, a0, 1
  addi a1, a1, -1
  bnez a1, 1b
  CHECK(a0, 3)

  /* jal: link = pc + 4 */
  TEST(30)
  jal a0, 1f
2:
  j vt_fail
1:
  la a1, 2b
  CHECK_REG(a0, a1)
  /* j (jal x0) does not write */
  TEST(31)
  j 1f
  j vt_fail
1:
  CHECK(x0, 0)
  /* jalr with offset and bit 0 cleared */
  TEST(32)
  la a1, 3f
  addi a1, a1, -3            /* target - 3: +4 below gives target + 1, bit 0 must be cleared */
  jalr a0, 4(a1)
4:
  j vt_fail
3:
  la a2, 4b
  CHECK_REG(a0, a2)
  /* jalr rd == rs1: target computed from the old value */
  TEST(33)
  la a0, 1f
  jalr a0, 0(a0)
5:
  j vt_fail
1:
  la a1, 5b
  CHECK_REG(a0, a1)
  /* jalr negative offset */
  TEST(34)
  la a1, 1f
  addi a1, a1, 16
  jalr ra, -16(a1)
  j vt_fail
1:
  /* call / ret */
  TEST(35)
  li a0, 0
  call func
  CHECK(a0, 77)
  VT_PASS

func:
  li a0, 77
  ret

vt_fail_far:
  j vt_fail
