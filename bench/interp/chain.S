# A dependency chain for measuring what an engine pays per dependent instruction: each
# iteration is 11 `addi` on one register, each waiting for the one before, then the loop
# counter and branch (13 instructions). It powers off through power_off.h.
  .section .text.init
  .globl _start
_start:
  li    s1, 100000000
  li    t0, 0
1:
  .rept 11
  addi  t0, t0, 1
  .endr
  addi  s1, s1, -1
  bnez  s1, 1b
#include "power_off.h"
