/* RV64A: lr/sc (w and d) including failure cases and the reservation rules, every AMO in
   W and D form (old value returned sign-extended, memory updated), aq/rl variants,
   misaligned LR (cause 4) and SC/AMO (cause 6) with tval = address, AMO with rd = x0. */
#include "vt.h"

/* AMO test: mem = init; amo a0, a2, (a1); check a0 == old (sign-extended for .w), mem == new. */
#define TEST_AMO_D(n, inst, init, operand, new) \
  TEST(n); la a1, amo_word; li a3, init; sd a3, 0(a1); li a2, operand; \
  inst a0, a2, (a1); CHECK(a0, init); ld a4, 0(a1); CHECK(a4, new)
#define TEST_AMO_W(n, inst, init, operand, old_sext, new) \
  TEST(n); la a1, amo_word; li a3, 0x5555555500000000 | (init); sd a3, 0(a1); li a2, operand; \
  inst a0, a2, (a1); CHECK(a0, old_sext); ld a4, 0(a1); CHECK(a4, 0x5555555500000000 | (new))

VT_CODE
  TEST_AMO_D(1, amoswap.d, 0x1234, 0xfedcba9876543210, 0xfedcba9876543210)
  TEST_AMO_D(2, amoadd.d, 0x7fffffffffffffff, 1, 0x8000000000000000)
  TEST_AMO_D(3, amoand.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0x0f000f000f000f00)
  TEST_AMO_D(4, amoor.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xfff0fff0fff0fff0)
  TEST_AMO_D(5, amoxor.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xf0f0f0f0f0f0f0f0)
  TEST_AMO_D(6, amomin.d, 5, -1, -1)
  TEST_AMO_D(7, amomin.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000)
  TEST_AMO_D(8, amomax.d, 5, -1, 5)
  TEST_AMO_D(9, amomax.d, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff)
  TEST_AMO_D(10, amominu.d, 5, -1, 5)
  TEST_AMO_D(11, amominu.d, -1, 0, 0)
  TEST_AMO_D(12, amomaxu.d, 5, -1, -1)
  TEST_AMO_D(13, amomaxu.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000)
  TEST_AMO_D(14, amoadd.d.aq, 1, 2, 3)
  TEST_AMO_D(15, amoadd.d.rl, 1, 2, 3)
  TEST_AMO_D(16, amoadd.d.aqrl, 1, 2, 3)
  TEST_AMO_W(20, amoswap.w, 0x80000000, 0x123456789, 0xffffffff80000000, 0x23456789)
  TEST_AMO_W(21, amoadd.w, 0x7fffffff, 1, 0x7fffffff, 0x80000000)
  TEST_AMO_W(22, amoadd.w, 0xffffffff, 1, 0xffffffffffffffff, 0)
  TEST_AMO_W(23, amoand.w, 0xff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0x0f000f00)
  TEST_AMO_W(24, amoor.w, 0xff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0xfff0fff0)
  TEST_AMO_W(25, amoxor.w, 0xff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0xf0f0f0f0)
  /* min/max .w compare the 32-bit values (upper bits of rs2 ignored) */
  TEST_AMO_W(26, amomin.w, 5, 0xffffffff, 5, 0xffffffff)
  TEST_AMO_W(27, amomin.w, 0x80000000, 0x7fffffff, 0xffffffff80000000, 0x80000000)
  TEST_AMO_W(28, amomax.w, 5, 0xffffffff, 5, 5)
  TEST_AMO_W(29, amomax.w, 0x80000000, 0x100000001, 0xffffffff80000000, 1)
  TEST_AMO_W(30, amominu.w, 5, 0xffffffff, 5, 5)
  TEST_AMO_W(31, amominu.w, 0x80000000, 0xffffffff00000001, 0xffffffff80000000, 1)
  TEST_AMO_W(32, amomaxu.w, 5, 0xffffffff, 5, 0xffffffff)
  TEST_AMO_W(33, amomaxu.w, 0x80000000, 0x7fffffff, 0xffffffff80000000, 0x80000000)
  TEST_AMO_W(34, amoswap.w.aqrl, 1, 2, 1, 2)
  /* rd = x0: memory still updated */
  TEST(35)
  la a1, amo_word
  li a2, 10
  sd a2, 0(a1)
  amoadd.d x0, a2, (a1)
  ld a0, 0(a1)
  CHECK(a0, 20)
  /* rd == rs2 */
  TEST(36)
  li a2, 5
  amoadd.d a2, a2, (a1)
  CHECK(a2, 20)
  ld a0, 0(a1)
  CHECK(a0, 25)

  /* lr/sc */
  TEST(40)
  la a1, amo_word
  li a2, 0x1111
  sd a2, 0(a1)
  lr.d a0, (a1)
  CHECK(a0, 0x1111)
  li a3, 0x2222
  sc.d a4, a3, (a1)
  CHECK(a4, 0)                    /* success */
  ld a0, 0(a1)
  CHECK(a0, 0x2222)
  /* second sc without a new lr fails and does not write */
  TEST(41)
  li a3, 0x3333
  sc.d a4, a3, (a1)
  bnez a4, 1f
  j vt_fail
1:
  ld a0, 0(a1)
  CHECK(a0, 0x2222)
  /* lr.w sign-extends; sc.w writes 32 bits */
  TEST(42)
  li a2, 0x12345678f0000000
  sd a2, 0(a1)
  lr.w a0, (a1)
  CHECK(a0, 0xfffffffff0000000)
  li a3, 0xaaaaaaaa0000abcd
  sc.w a4, a3, (a1)
  CHECK(a4, 0)
  ld a0, 0(a1)
  CHECK(a0, 0x123456780000abcd)
  /* sc to an address other than the reserved one fails */
  TEST(43)
  la a1, amo_word
  la a2, amo_word2
  sd zero, 0(a2)
  lr.d a0, (a1)
  li a3, 99
  sc.d a4, a3, (a2)
  bnez a4, 1f
  j vt_fail
1:
  ld a0, 0(a2)
  CHECK(a0, 0)
  /* lr.w / sc.w pair, then another sc.w fails (the reservation is consumed) */
  TEST(44)
  lr.w a0, (a1)
  sc.w a4, zero, (a1)
  CHECK(a4, 0)
  sc.w a4, zero, (a1)
  bnez a4, 1f
  j vt_fail
1:
  /* lr/sc with aq/rl bits */
  TEST(45)
  lr.d.aq a0, (a1)
  li a3, 7
  sc.d.rl a4, a3, (a1)
  CHECK(a4, 0)
  lr.d.aqrl a0, (a1)
  CHECK(a0, 7)
  sc.d.aqrl a4, zero, (a1)
  CHECK(a4, 0)
  /* sc failure code is nonzero, and rd = x0 on sc */
  TEST(46)
  lr.d a0, (a1)
  li a3, 8
  sc.d x0, a3, (a1)
  ld a0, 0(a1)
  CHECK(a0, 8)
  /* a compare-and-swap loop built from lr/sc */
  TEST(47)
  li a2, 8
  li a3, 100
1:
  lr.d a0, (a1)
  bne a0, a2, vt_fail_far
  sc.d a4, a3, (a1)
  bnez a4, 1b
  ld a0, 0(a1)
  CHECK(a0, 100)

  /* misaligned LR: load address misaligned (4); SC/AMO: store/AMO address misaligned (6) */
  CLEAR_TRAPS
  TEST(50)
  la a1, amo_word
  addi a1, a1, 4
  lr.d a0, (a1)
  CHECK_TRAP(CAUSE_MISALIGNED_LOAD)
  CHECK_REG(s3, a1)
  TEST(51)
  la a1, amo_word
  addi a1, a1, 2
  lr.w a0, (a1)
  CHECK_TRAP(CAUSE_MISALIGNED_LOAD)
  CHECK_REG(s3, a1)
#ifndef VT_QEMU  /* QEMU 7.2: misaligned SC without reservation fails silently; AMOs report cause 4 */
  TEST(52)
  la a1, amo_word
  addi a1, a1, 4
  sc.d a0, a2, (a1)
  CHECK_TRAP(CAUSE_MISALIGNED_STORE)
  CHECK_REG(s3, a1)
  TEST(53)
  la a1, amo_word
  addi a1, a1, 1
  sc.w a0, a2, (a1)
  CHECK_TRAP(CAUSE_MISALIGNED_STORE)
  CHECK_REG(s3, a1)
  TEST(54)
  la a1, amo_word
  li a2, 0x77
  sd a2, 0(a1)
  addi a1, a1, 4
  amoadd.d a0, a2, (a1)
  CHECK_TRAP(CAUSE_MISALIGNED_STORE)
  CHECK_REG(s3, a1)
  la a1, amo_word
  ld a0, 0(a1)
  CHECK(a0, 0x77)          /* memory unchanged */
  TEST(55)
  la a1, amo_word
  addi a1, a1, 2
  amoswap.w a0, a2, (a1)
  CHECK_TRAP(CAUSE_MISALIGNED_STORE)
  CHECK_REG(s3, a1)
  TEST(56)
  addi a1, a1, 1
  amomaxu.w a0, a2, (a1)
  CHECK_TRAP(CAUSE_MISALIGNED_STORE)
  TEST(57)
  la a1, amo_word
  addi a1, a1, 6
  amominu.d a0, a2, (a1)
  CHECK_TRAP(CAUSE_MISALIGNED_STORE)
  /* the epc of the trap is the AMO itself */
#endif
  TEST(58)
  la a1, amo_word
  addi a1, a1, 2
1:
  amoor.w a0, a2, (a1)
  la a3, 1b
  CHECK_REG(s4, a3)
  li s10, 0
  VT_PASS

vt_fail_far:
  j vt_fail

VT_DATA
  .balign 16
amo_word: .dword 0
  .dword 0
amo_word2: .dword 0
