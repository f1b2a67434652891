/* RVC (C extension, RV64): every compressed instruction, with edge immediates:
   c.addi4spn, c.fld/c.lw/c.ld, c.fsd/c.sw/c.sd, c.nop, c.addi, c.addiw (sign extension),
   c.li, c.addi16sp, c.lui (negative), c.srli/c.srai/c.andi, c.sub/c.xor/c.or/c.and/c.subw/c.addw,
   c.j, c.beqz/c.bnez, c.slli (63), c.fldsp/c.lwsp/c.ldsp, c.jr, c.mv, c.ebreak, c.jalr, c.add,
   c.fsdsp/c.swsp/c.sdsp; the all-zero halfword is illegal with mtval = 0. */
#include "vt.h"
  .option rvc
VT_CODE
  mv s9, sp                 /* keep the framework stack pointer */
  /* c.li / c.addi / c.nop */
  TEST(1)
  c.li a0, 31
  CHECK(a0, 31)
  c.li a0, -32
  CHECK(a0, -32)
  c.addi a0, 31
  CHECK(a0, -1)
  c.addi a0, -32
  CHECK(a0, -33)
  c.nop
  CHECK(a0, -33)
  /* c.addiw: 32-bit add, sign-extended */
  TEST(2)
  li a0, 0x7fffffff
  c.addiw a0, 1
  CHECK(a0, 0xffffffff80000000)
  li a0, 0x123456789
  c.addiw a0, 0          /* sext.w */
  CHECK(a0, 0x23456789)
  li a0, 0xffffffff
  c.addiw a0, 1
  CHECK(a0, 0)
  /* c.lui */
  TEST(3)
  c.lui a0, 1
  CHECK(a0, 0x1000)
  c.lui a0, 0x1f
  CHECK(a0, 0x1f000)
  c.lui a0, 0xfffe0
  CHECK(a0, 0xfffffffffffe0000)
  c.lui a0, 0xfffff
  CHECK(a0, 0xfffffffffffff000)
  /* c.addi16sp / c.addi4spn */
  TEST(4)
  la sp, cbuf + 512
  c.addi16sp sp, 496
  la a0, cbuf + 1008
  CHECK_REG(sp, a0)
  c.addi16sp sp, -512
  la a0, cbuf + 496
  CHECK_REG(sp, a0)
  c.addi16sp sp, 16
  la a0, cbuf + 512
  CHECK_REG(sp, a0)
  TEST(5)
  c.addi4spn a0, sp, 4
  la a1, cbuf + 516
  CHECK_REG(a0, a1)
  c.addi4spn s1, sp, 1020
  la a1, cbuf + 1532
  CHECK_REG(s1, a1)
  /* c.lwsp/c.ldsp/c.swsp/c.sdsp with max offsets */
  TEST(6)
  la sp, cbuf
  li a1, 0x80000001
  c.swsp a1, 252(sp)
  c.lwsp a2, 252(sp)
  CHECK(a2, 0xffffffff80000001)
  li a1, 0x0123456789abcdef
  c.sdsp a1, 504(sp)
  c.ldsp a3, 504(sp)
  CHECK(a3, 0x0123456789abcdef)
  c.sdsp a1, 0(sp)
  c.lwsp a4, 4(sp)
  CHECK(a4, 0x01234567)
  c.ldsp ra, 0(sp)            /* rd outside x8-x15 */
  CHECK(ra, 0x0123456789abcdef)
  /* c.lw/c.ld/c.sw/c.sd */
  TEST(7)
  la s0, cbuf
  li a1, 0xfedcba98
  c.sw a1, 124(s0)
  c.lw a2, 124(s0)
  CHECK(a2, 0xfffffffffedcba98)
  li a1, 0x1122334455667788
  c.sd a1, 248(s0)
  c.ld a3, 248(s0)
  CHECK(a3, 0x1122334455667788)
  c.sd a1, 120(s0)
  c.lw a4, 124(s0)
  CHECK(a4, 0x11223344)
  /* c.fld / c.fsd / c.fldsp / c.fsdsp */
  TEST(8)
  li a1, 0x400921fb54442d18
  c.sd a1, 8(s0)
  c.fld fa0, 8(s0)
  fmv.x.d a2, fa0
  CHECK(a2, 0x400921fb54442d18)
  c.fsd fa0, 248(s0)
  c.ld a3, 248(s0)
  CHECK(a3, 0x400921fb54442d18)
  c.fsdsp fa0, 504(sp)
  c.fldsp ft1, 504(sp)
  fmv.x.d a4, ft1
  CHECK(a4, 0x400921fb54442d18)
  mv sp, s9
  /* c.srli / c.srai / c.andi */
  TEST(9)
  li a0, 0x8000000000000000
  c.srli a0, 63
  CHECK(a0, 1)
  li a0, 0x8000000000000000
  c.srai a0, 63
  CHECK(a0, -1)
  li a0, 0x8000000000000000
  c.srai a0, 1
  CHECK(a0, 0xc000000000000000)
  li a0, 0xffffffffffffffff
  c.srli a0, 32
  CHECK(a0, 0xffffffff)
  li a0, 0x1234
  c.andi a0, -16
  CHECK(a0, 0x1230)
  c.andi a0, 15
  CHECK(a0, 0)
  li a0, 0xff
  c.andi a0, 31
  CHECK(a0, 0x1f)
  /* c.slli */
  TEST(10)
  li a0, 1
  c.slli a0, 63
  CHECK(a0, 0x8000000000000000)
  li t0, 3
  c.slli t0, 1
  CHECK(t0, 6)
  /* register-register */
  TEST(11)
  li a0, 10
  li a1, 3
  c.sub a0, a1
  CHECK(a0, 7)
  li a0, 0xff00
  li a1, 0x0ff0
  c.xor a0, a1
  CHECK(a0, 0xf0f0)
  li a0, 0xff00
  c.or a0, a1
  CHECK(a0, 0xfff0)
  li a0, 0xff00
  c.and a0, a1
  CHECK(a0, 0x0f00)
  li a0, 0x80000000
  li a1, 1
  c.subw a0, a1
  CHECK(a0, 0x7fffffff)
  li a0, 0
  c.subw a0, a1
  CHECK(a0, -1)
  li a0, 0x7fffffff
  c.addw a0, a1
  CHECK(a0, 0xffffffff80000000)
  li t1, 5
  li t2, 6
  c.add t1, t2
  CHECK(t1, 11)
  c.mv t1, t2
  CHECK(t1, 6)
  c.mv ra, t2
  CHECK(ra, 6)
  /* control transfer */
  TEST(12)
  c.j 1f
  j vt_fail
1:
  li a0, 0
  c.beqz a0, 1f
  j vt_fail
1:
  c.bnez a0, vt_fail_near
  li a0, -1
  c.bnez a0, 1f
  j vt_fail
1:
  c.beqz a0, vt_fail_near
  /* backward c.j / c.bnez loop */
  TEST(13)
  li a0, 5
  li a1, 0
1:
  c.addi a1, 2
  c.addi a0, -1
  c.bnez a0, 1b
  CHECK(a1, 10)
  /* c.jr / c.jalr: link = pc + 2 */
  TEST(14)
  la t0, 1f
  c.jr t0
  j vt_fail
1:
  la t0, cfunc
  c.jalr t0
2:
  CHECK(a0, 0x55)
  la a1, 2b
  CHECK_REG(ra, a1)
  /* c.jalr with ra as the target register: target read before the link is written */
  TEST(15)
  la ra, cfunc
  c.jalr ra
3:
  la a1, 3b
  CHECK_REG(ra, a1)
  /* c.ebreak: breakpoint exception, epc = address of the 2-byte instruction */
  TEST(16)
  CLEAR_TRAPS
4:
  c.ebreak
  CHECK_TRAP(CAUSE_BREAKPOINT)
  la a1, 4b
  CHECK_REG(s4, a1)
  /* the all-zero halfword is an illegal instruction (mtval = 0) */
  TEST(17)
  CLEAR_TRAPS
5:
  .hword 0
  CHECK_TRAP(CAUSE_ILLEGAL)
  CHECK(s3, 0)
  la a1, 5b
  CHECK_REG(s4, a1)
  /* c.addi4spn with zero immediate (reserved, encodes as 0x0xxx with nzuimm = 0) */
  /* 32-bit instruction at a 2-byte aligned address after a compressed one */
  TEST(18)
  c.nop
  li a0, 0x12345
  CHECK(a0, 0x12345)
  VT_PASS

vt_fail_near:
  j vt_fail

cfunc:
  li a0, 0x55
  c.jr ra

VT_DATA
  .balign 16
cbuf: .zero 2048
