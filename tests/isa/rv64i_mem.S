/* RV64I loads and stores: every width, sign/zero extension, offsets (+2047/-2048),
   misaligned accesses are performed (no trap), store-to-x0 base, fence, fence.i with
   self-modifying code (Zifencei). */
#include "vt.h"

#define TEST_LD(n, inst, result, off) \
  TEST(n); la a1, src; inst a0, off(a1); CHECK(a0, result)
#define TEST_ST(n, sinst, linst, value, off) \
  TEST(n); la a1, dst; li a2, value; sinst a2, off(a1); linst a0, off(a1); CHECK(a0, value)

VT_CODE
  /* src = 00 ff 80 7f 01 80 ff ff  ef be ad de 78 56 34 12 ... */
  TEST_LD(1, lb, 0, 0)
  TEST_LD(2, lb, -1, 1)
  TEST_LD(3, lb, -128, 2)
  TEST_LD(4, lb, 127, 3)
  TEST_LD(5, lbu, 0xff, 1)
  TEST_LD(6, lbu, 0x80, 2)
  TEST_LD(7, lh, 0xffffffffffffff00, 0)
  TEST_LD(8, lh, 0x7f80, 2)
  TEST_LD(9, lh, 0xffffffffffff8001, 4)
  TEST_LD(10, lhu, 0xff00, 0)
  TEST_LD(11, lhu, 0x8001, 4)
  TEST_LD(12, lw, 0x7f80ff00, 0)
  TEST_LD(13, lw, 0xffffffffffff8001, 4)
  TEST_LD(14, lwu, 0xffff8001, 4)
  TEST_LD(15, lw, 0xffffffffdeadbeef, 8)
  TEST_LD(16, lwu, 0xdeadbeef, 8)
  TEST_LD(17, ld, 0xffff80017f80ff00, 0)
  TEST_LD(18, ld, 0x12345678deadbeef, 8)
  /* negative offsets */
  TEST(19)
  la a1, src + 16
  ld a0, -8(a1)
  CHECK(a0, 0x12345678deadbeef)
  lbu a0, -16(a1)
  CHECK(a0, 0)
  /* offsets +2047 / -2048 */
  TEST(20)
  la a1, far - 2047
  lbu a0, 2047(a1)
  CHECK(a0, 0xa5)
  la a1, far + 2048
  lbu a0, -2048(a1)
  CHECK(a0, 0xa5)
  /* load into x0 is discarded (but performed) */
  TEST(21)
  la a1, src
  ld x0, 0(a1)
  CHECK(x0, 0)

  /* stores */
  TEST_ST(30, sb, lb, -2, 0)
  TEST_ST(31, sh, lh, -2, 2)
  TEST_ST(32, sw, lw, -2, 4)
  TEST_ST(33, sd, ld, 0x0123456789abcdef, 8)
  /* sb/sh/sw only write their bytes */
  TEST(34)
  la a1, dst
  li a2, -1
  sd a2, 16(a1)
  sb zero, 17(a1)
  ld a0, 16(a1)
  CHECK(a0, 0xffffffffffff00ff)
  sh zero, 20(a1)
  ld a0, 16(a1)
  CHECK(a0, 0xffff0000ffff00ff)
  li a2, 0x12345678abcd
  sw a2, 16(a1)
  ld a0, 16(a1)
  CHECK(a0, 0xffff00005678abcd)
  /* storing x0 */
  TEST(35)
  sd zero, 16(a1)
  ld a0, 16(a1)
  CHECK(a0, 0)

  /* misaligned loads and stores: performed, no trap */
  CLEAR_TRAPS
  TEST(40)
  la a1, src
  lh a0, 1(a1)
  CHECK(a0, 0xffffffffffff80ff)
  lhu a0, 3(a1)
  CHECK(a0, 0x017f)
  lw a0, 1(a1)
  CHECK(a0, 0x017f80ff)
  lw a0, 3(a1)
  CHECK(a0, 0xffffffffff80017f)
  lwu a0, 6(a1)
  CHECK(a0, 0xbeefffff)
  ld a0, 1(a1)
  CHECK(a0, 0xefffff80017f80ff)
  ld a0, 7(a1)
  CHECK(a0, 0x345678deadbeefff)
  CHECK_NO_TRAP
  TEST(41)
  la a1, dst
  sd zero, 0(a1)
  sd zero, 8(a1)
  li a2, 0x1122334455667788
  sd a2, 3(a1)
  ld a0, 0(a1)
  CHECK(a0, 0x4455667788000000)
  ld a0, 8(a1)
  CHECK(a0, 0x0000000000112233)
  li a2, 0xaabbccdd
  sw a2, 7(a1)
  ld a0, 0(a1)
  CHECK(a0, 0xdd55667788000000)
  ld a0, 8(a1)
  CHECK(a0, 0x0000000000aabbcc)
  li a2, 0xeeff
  sh a2, 15(a1)
  ld a0, 8(a1)
  CHECK(a0, 0xff00000000aabbcc)
  lbu a0, 16(a1)
  CHECK(a0, 0xee)
  /* misaligned access crossing a page boundary */
  TEST(42)
  la a1, page_b
  li a2, 0x0102030405060708
  sd a2, -4(a1)
  ld a0, -4(a1)
  CHECK(a0, 0x0102030405060708)
  lw a0, -2(a1)
  CHECK(a0, 0x03040506)
  CHECK_NO_TRAP

  /* fence variants execute */
  TEST(50)
  fence
  fence rw, rw
  fence r, r
  fence w, w
  fence iorw, iorw
  fence.tso
  /* pause is a fence hint */
  .word 0x0100000f

  /* fence.i: rewrite an instruction, then execute it */
  TEST(51)
  la a1, patch
  lw a2, new_insn
  sw a2, 0(a1)
  fence.i
  li a0, 0
  jal ra, patch
  CHECK(a0, 42)
  TEST(52)
  la a1, patch
  lw a2, new_insn2
  sw a2, 0(a1)
  fence.i
  jal ra, patch
  CHECK(a0, 43)
  /* patch a compressed instruction */
  TEST(53)
  la a1, cpatch
  lhu a2, new_cinsn
  sh a2, 0(a1)
  fence.i
  li a0, 0
  jal ra, cpatch
  CHECK(a0, 7)
  VT_PASS

  .balign 8
  .option push
  .option norvc
patch:
  addi a0, zero, 1
  jalr zero, 0(ra)
  .option pop
cpatch:
  .option push
  .option rvc
  c.li a0, 1
  c.jr ra
  .option pop
  .balign 4
  .option push
  .option norvc
new_insn:
  addi a0, zero, 42
new_insn2:
  addi a0, zero, 43
  .option pop
new_cinsn:
  .option push
  .option rvc
  c.li a0, 7
  .option pop
  .balign 4

VT_DATA
  .balign 16
src:
  .byte 0x00, 0xff, 0x80, 0x7f, 0x01, 0x80, 0xff, 0xff
  .dword 0x12345678deadbeef
  .dword 0
dst:
  .zero 32
  .zero 3000
far:
  .byte 0xa5
  .balign 4096
  .zero 8
page_b:
  .zero 8
