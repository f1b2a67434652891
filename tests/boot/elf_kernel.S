# A minimal "kernel" ELF linked like vmlinux: virtual addresses with physical load addresses
# (AT). Entered in S-mode with the MMU off, it checks a0 = hart id and a1 = a device tree,
# then powers off through the SiFive test device.
  .section .text
  .globl _start
_start:
  bnez  a0, fail
  lwu   t0, 0(a1)          # FDT magic is big-endian 0xd00dfeed
  li    t1, 0xedfe0dd0
  bne   t0, t1, fail
  li    t0, 0x100000
  li    t1, 0x5555
  sw    t1, 0(t0)
1: j 1b
fail:
  li    t0, 0x100000
  li    t1, 0x13333        # FAIL with exit code 1
  sw    t1, 0(t0)
2: j 2b
