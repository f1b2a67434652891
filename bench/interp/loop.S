# A long-running integer loop for measuring instructions per second.
# Body: 12 instructions per iteration (ALU, shifts, a load, a store, a multiply, a branch).
# Iterations come from the symbol `iterations`. It powers off through power_off.h.
  .section .text.init
  .globl _start
_start:
  la    s0, buffer
  la    t0, iterations
  ld    s1, 0(t0)
  li    a0, 0x12345
  li    a1, 0
1:
  add   a1, a1, a0
  xor   a0, a0, a1
  slli  a2, a1, 3
  srli  a3, a0, 5
  add   a2, a2, a3
  andi  a4, a2, 1016
  add   a4, a4, s0
  ld    a5, 0(a4)
  add   a5, a5, a2
  sd    a5, 8(a4)
  addi  s1, s1, -1
  bnez  s1, 1b
#include "power_off.h"

  .data
  .align 3
  .globl iterations
iterations: .dword 200000000
  .align 6
buffer: .zero 2048

