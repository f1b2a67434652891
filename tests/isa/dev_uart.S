/* The runner's NS16550A UART at 0x10000000: byte registers reachable from M-mode,
   LSR reports an empty transmitter, SCR and LCR keep what is written, THR accepts bytes
   (they appear on the console). */
#include "vt.h"
#define UART 0x10000000
VT_CODE
  CLEAR_TRAPS
  li s9, UART
  TEST(1)
  lbu a0, 5(s9)                 /* LSR */
  andi a0, a0, 0x60
  CHECK(a0, 0x60)               /* THRE and TEMT */
  TEST(2)
  li a1, 0xa5
  sb a1, 7(s9)                  /* SCR */
  lbu a0, 7(s9)
  CHECK(a0, 0xa5)
  TEST(3)
  li a1, 0x03                   /* 8N1, DLAB = 0 */
  sb a1, 3(s9)
  lbu a0, 3(s9)
  CHECK(a0, 0x03)
  TEST(4)
  sb zero, 1(s9)                /* IER = 0 */
  lbu a0, 1(s9)
  CHECK(a0, 0)
  TEST(5)
  la a2, msg
1:
  lbu a1, 0(a2)
  beqz a1, 2f
  sb a1, 0(s9)                  /* THR */
  addi a2, a2, 1
  j 1b
2:
  CHECK_NO_TRAP
  VT_PASS
VT_DATA
msg: .string "uart ok\n"
