/* Smallest passing program: write 1 to tohost. */
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  li t0, 1
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
