/* Never exits: only --max-instructions stops it. */
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  addi t0, t0, 1
  j _start

  .section .tohost, "aw", @progbits
  .balign 64
  .globl tohost
tohost: .dword 0
  .size tohost, 8
  .balign 64
  .globl fromhost
fromhost: .dword 0
  .size fromhost, 8
