# Included by the bare-metal benchmark programs (assembled through the C preprocessor):
# power the machine off through the SiFive test device at 0x100000, which both vessel and
# QEMU's `virt` machine implement; the loop after it is never reached.
  li    t0, 0x5555
  li    t1, 0x100000
  sw    t0, 0(t1)
2: j 2b
