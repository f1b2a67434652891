/* A 32-bit RISC-V ELF (ELFCLASS32): vessel must refuse it (exit 2). */
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  j _start
  .section .tohost, "aw", @progbits
  .globl tohost
tohost: .word 0, 0
  .globl fromhost
fromhost: .word 0, 0
