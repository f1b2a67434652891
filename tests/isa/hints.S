/* Hints and may-be-operations: Zihintpause (pause, a FENCE hint), Zicbop (prefetch.i/r/w,
   ORI hints that never fault, even on unmapped addresses), Zihintntl (ADD hints), Zawrs
   (wrs.nto/wrs.sto return), Zimop (mop.r.n / mop.rr.n write 0 to rd), also from U-mode. */
#include "vt.h"
  .option arch, +zihintpause, +zicbop, +zawrs
/* Register numbers: a0 = 10, a1 = 11, a2 = 12. */
#define MOP_R(n, rd, rs1) \
  .word (1 << 31) | (((n) >> 4) & 1) << 30 | (((n) >> 2) & 3) << 26 | 7 << 22 | ((n) & 3) << 20 | \
        (rs1) << 15 | 4 << 12 | (rd) << 7 | 0x73
#define MOP_RR(n, rd, rs1, rs2) \
  .word (1 << 31) | (((n) >> 2) & 1) << 30 | ((n) & 3) << 26 | 1 << 25 | (rs2) << 20 | (rs1) << 15 | 4 << 12 | \
        (rd) << 7 | 0x73
VT_CODE
  TEST(1); CLEAR_TRAPS; li a0, 5; pause; CHECK(a0, 5); CHECK_NO_TRAP
  TEST(2); li a0, 0x40000000   /* nothing there */
  prefetch.i 0(a0); prefetch.r 64(a0); prefetch.w -64(a0); CHECK_NO_TRAP
  TEST(3); li a0, 7; add zero, zero, a0; CHECK_NO_TRAP   /* ntl.all */
  TEST(4); wrs.nto; wrs.sto; CHECK_NO_TRAP
  TEST(5); li a0, -1; li a1, 3; MOP_R(0, 10, 11); CHECK(a0, 0); CHECK(a1, 3)
  TEST(6); li a0, -1; MOP_R(31, 10, 11); CHECK(a0, 0)
  TEST(7); li a0, -1; MOP_R(21, 10, 10); CHECK(a0, 0)
  TEST(8); li a0, -1; li a2, 4; MOP_RR(0, 10, 11, 12); CHECK(a0, 0); CHECK(a2, 4)
  TEST(9); li a0, -1; MOP_RR(7, 10, 11, 12); CHECK(a0, 0); CHECK_NO_TRAP
  /* From U-mode: all legal, none traps */
  VT_ENTER_U
  TEST(10); li a0, -1; MOP_R(9, 10, 11); pause; wrs.nto; prefetch.r 0(zero)
  CHECK(a0, 0)
  VT_ENTER_M
  CHECK_NO_TRAP
  /* Encodings next to the mops are not mops: bit 25..22 = 0110 is illegal */
  TEST(11); CLEAR_TRAPS; .word 0x8185c573; CHECK_TRAP(CAUSE_ILLEGAL)
VT_PASS
VT_DATA
