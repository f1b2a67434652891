/* Fails with test number 37: tohost = (37 << 1) | 1. */
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  li t0, (37 << 1) | 1
  la t1, tohost
  sd t0, 0(t1)
1:
  j 1b

  .section .tohost, "aw", @progbits
  .balign 64
  .globl tohost
tohost: .dword 0
  .size tohost, 8
  .balign 64
  .globl fromhost
fromhost: .dword 0
  .size fromhost, 8
