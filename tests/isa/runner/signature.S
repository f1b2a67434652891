/* Writes a known pattern between begin_signature and end_signature, then passes.
   Expected dump (Spike +signature style): 32-bit words, 8 hex digits, one per line. */
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  la t0, begin_signature
  li t1, 0x0123456789abcdef
  sd t1, 0(t0)
  li t1, 0xdeadbeef
  sw t1, 8(t0)
  li t1, -1
  sw t1, 12(t0)
  sw zero, 16(t0)
  li t1, 0x80
  sb t1, 20(t0)
  li t1, 1
  la t2, tohost
  sd t1, 0(t2)
1:
  j 1b

  .data
  .balign 16
  .globl begin_signature
begin_signature:
  .word 0x11111111, 0x22222222, 0x33333333, 0x44444444
  .word 0x55555555, 0x66666666, 0x77777777, 0x88888888
  .globl end_signature
end_signature:
  .word 0x99999999

  .section .tohost, "aw", @progbits
  .balign 64
  .globl tohost
tohost: .dword 0
  .size tohost, 8
  .balign 64
  .globl fromhost
fromhost: .dword 0
  .size fromhost, 8
