/* Zicntr/Zihpm: hpmcounter3..31 exist (hardwired to zero, as mhpmcounterN/mhpmeventN
   writes are accepted and ignored) and obey mcounteren (S and U) and scounteren (U)
   bit by bit, like cycle/time/instret; the user counters are read-only. */
#include "vt.h"
VT_CODE
  TEST(1); csrr a0, hpmcounter3; CHECK(a0, 0); csrr a0, hpmcounter31; CHECK(a0, 0)
  TEST(2); li t0, -1; csrw mhpmcounter3, t0; csrw mhpmevent3, t0; csrr a0, mhpmcounter3; CHECK(a0, 0)
  csrr a0, hpmcounter3; CHECK(a0, 0); CHECK_NO_TRAP
  TEST(3); CLEAR_TRAPS; csrw hpmcounter3, zero; CHECK_TRAP(CAUSE_ILLEGAL)       /* read-only */
  /* S-mode: mcounteren bit N */
  TEST(4); csrw mcounteren, zero; csrw scounteren, zero
  VT_ENTER_S
  csrr a0, hpmcounter3
  csrr a0, hpmcounter31
  VT_ENTER_M
  CHECK(s10, 2); CHECK(s2, CAUSE_ILLEGAL); li s10, 0
  TEST(5); li t0, (1 << 3) | (1 << 31); csrw mcounteren, t0
  VT_ENTER_S
  csrr a0, hpmcounter3
  csrr a1, hpmcounter31
  csrr a2, hpmcounter4          /* bit 4 clear: illegal */
  VT_ENTER_M
  CHECK(s10, 1); CHECK(s2, CAUSE_ILLEGAL); li s10, 0; CHECK(a0, 0); CHECK(a1, 0)
  /* U-mode: scounteren too */
  TEST(6)
  VT_ENTER_U
  csrr a0, hpmcounter3
  VT_ENTER_M
  CHECK_TRAP(CAUSE_ILLEGAL)
  TEST(7); li t0, (1 << 3) | 1; csrw scounteren, t0; li t0, (1 << 3) | (1 << 31) | 1; csrw mcounteren, t0
  VT_ENTER_U
  csrr a0, hpmcounter3
  rdcycle a1
  csrr a2, hpmcounter31         /* scounteren bit 31 clear */
  VT_ENTER_M
  CHECK(s10, 1); CHECK(s2, CAUSE_ILLEGAL); li s10, 0; CHECK(a0, 0)
  li t0, 7; csrw mcounteren, t0; csrw scounteren, t0
VT_PASS
VT_DATA
