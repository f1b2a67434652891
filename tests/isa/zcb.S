/* Zcb (compressed byte/halfword loads and stores, zero/sign extension, c.not, c.mul) and
   Zcmop (c.mop.n: no register written). The assembler predates them: .hword encodings.
   Registers: s0 (x8) = base, s1 (x9), a0 (x10), a1 (x11). */
#include "vt.h"
#define C_LBU_S1_0_S0  .hword 0x8004   /* c.lbu s1, 0(s0) */
#define C_LBU_S1_1_S0  .hword 0x8044   /* c.lbu s1, 1(s0) */
#define C_LBU_S1_2_S0  .hword 0x8024   /* c.lbu s1, 2(s0) */
#define C_LBU_S1_3_S0  .hword 0x8064   /* c.lbu s1, 3(s0) */
#define C_LHU_S1_2_S0  .hword 0x8424   /* c.lhu s1, 2(s0) */
#define C_LH_S1_2_S0   .hword 0x8464   /* c.lh s1, 2(s0) */
#define C_LH_S1_0_S0   .hword 0x8444   /* c.lh s1, 0(s0) */
#define C_SB_S1_3_S0   .hword 0x8864   /* c.sb s1, 3(s0) */
#define C_SH_S1_2_S0   .hword 0x8c24   /* c.sh s1, 2(s0) */
#define C_ZEXT_B_A0    .hword 0x9d61
#define C_SEXT_B_A0    .hword 0x9d65
#define C_ZEXT_H_A0    .hword 0x9d69
#define C_SEXT_H_A0    .hword 0x9d6d
#define C_ZEXT_W_A0    .hword 0x9d71
#define C_NOT_A0       .hword 0x9d75
#define C_MUL_A0_A1    .hword 0x9d4d   /* a0 = a0 * a1 */
VT_CODE
  la s0, zcb_data
  TEST(1); C_LBU_S1_0_S0; CHECK(s1, 0x81)
  TEST(2); C_LBU_S1_1_S0; CHECK(s1, 0x92)
  TEST(3); C_LBU_S1_2_S0; CHECK(s1, 0xa3)
  TEST(4); C_LBU_S1_3_S0; CHECK(s1, 0x74)
  TEST(5); C_LHU_S1_2_S0; CHECK(s1, 0x74a3)
  TEST(6); C_LH_S1_2_S0; CHECK(s1, 0x74a3)
  TEST(7); C_LH_S1_0_S0; CHECK(s1, 0xffffffffffff9281)   /* sign-extended */
  TEST(8); li s1, 0x1234567855; C_SB_S1_3_S0; lw a0, 0(s0); CHECK(a0, 0x55a39281)
  TEST(9); li s1, -2; C_SH_S1_2_S0; lw a0, 0(s0); CHECK(a0, 0xfffffffffffe9281)
  TEST(10); li a0, 0x12345680; C_ZEXT_B_A0; CHECK(a0, 0x80)
  TEST(11); li a0, 0x12345680; C_SEXT_B_A0; CHECK(a0, 0xffffffffffffff80)
  TEST(12); li a0, 0x7f; C_SEXT_B_A0; CHECK(a0, 0x7f)
  TEST(13); li a0, -2; C_ZEXT_H_A0; CHECK(a0, 0xfffe)
  TEST(14); li a0, 0x18000; C_SEXT_H_A0; CHECK(a0, 0xffffffffffff8000)
  TEST(15); li a0, -1; C_ZEXT_W_A0; CHECK(a0, 0xffffffff)
  TEST(16); li a0, 0x00ff00ff00ff00ff; C_NOT_A0; CHECK(a0, 0xff00ff00ff00ff00)
  TEST(17); li a0, 7; li a1, -6; C_MUL_A0_A1; CHECK(a0, -42)
  TEST(18); li a0, 0x100000001; li a1, 0x100000001; C_MUL_A0_A1; CHECK(a0, 0x200000001)
  /* c.mop.1 .. c.mop.15 write no register (not even the one their rd field names) */
  TEST(20); li ra, 11; li gp, 20; li t0, 55; li t2, 77; li a5, 99
  .hword 0x6081   /* c.mop.1 (x1) */
  .hword 0x6181   /* c.mop.3 (x3) */
  .hword 0x6281   /* c.mop.5 (x5) */
  .hword 0x6381   /* c.mop.7 (x7) */
  .hword 0x6781   /* c.mop.15 (x15) */
  CHECK(ra, 11); CHECK(gp, 20); CHECK(t0, 55); CHECK(t2, 77); CHECK(a5, 99)
  /* Reserved Zcb encodings stay illegal: c.sh with bit 6 set, unary op 110 */
  TEST(21); CLEAR_TRAPS; .hword 0x8c64; CHECK_TRAP_TVAL(CAUSE_ILLEGAL, 0x8c64)
  TEST(22); CLEAR_TRAPS; .hword 0x9d79; CHECK_TRAP_TVAL(CAUSE_ILLEGAL, 0x9d79)
VT_PASS
VT_DATA
zcb_data: .byte 0x81, 0x92, 0xa3, 0x74, 0, 0, 0, 0
