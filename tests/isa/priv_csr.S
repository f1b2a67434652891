/* Zicsr and CSR access rules: csrrw/csrrs/csrrc and immediate forms (old value, x0 rules),
   nonexistent CSR -> illegal with mtval = instruction bits, writes to read-only CSRs
   (incl. csrrs with a non-x0 zero register), access from a lower privilege, mstatus.TVM
   (satp, sfence.vma), TW (wfi), TSR (sret), mcounteren/scounteren gating of cycle/time/
   instret from S and U, Zicntr counters, sstatus/sie/sip as views of mstatus/mie/mip. */
#include "vt.h"

#define CHECK_ILLEGAL_AT(label) \
  CHECK_TRAP(CAUSE_ILLEGAL); la a5, label; CHECK_REG(s4, a5); lwu a5, 0(a5); CHECK_REG(s3, a5)

VT_CODE
  CLEAR_TRAPS
  /* ---- csr instruction semantics on mscratch (restored afterwards) ---- */
  TEST(1)
  csrr s9, mscratch
  li t0, 0x0f0f
  csrrw a0, mscratch, t0
  CHECK_REG(a0, s9)
  li t0, 0xf000
  csrrs a0, mscratch, t0
  CHECK(a0, 0x0f0f)
  csrr a0, mscratch
  CHECK(a0, 0xff0f)
  li t0, 0x0f00
  csrrc a0, mscratch, t0
  CHECK(a0, 0xff0f)
  csrr a0, mscratch
  CHECK(a0, 0xf00f)
  csrrwi a0, mscratch, 0x1f
  CHECK(a0, 0xf00f)
  csrrsi a0, mscratch, 0x0
  CHECK(a0, 0x1f)
  csrrci a0, mscratch, 0x3
  CHECK(a0, 0x1f)
  csrrsi a0, mscratch, 0x10
  CHECK(a0, 0x1c)
  csrr a0, mscratch
  CHECK(a0, 0x1c)
  /* rd = x0 */
  li t0, -1
  csrrw x0, mscratch, t0
  csrr a0, mscratch
  CHECK(a0, -1)
  /* rd == rs1 */
  li a0, 5
  csrrw a0, mscratch, a0
  CHECK(a0, -1)
  csrr a0, mscratch
  CHECK(a0, 5)
  csrw mscratch, s9
  CHECK_NO_TRAP

  /* ---- nonexistent CSRs ---- */
  TEST(2)
1:
  csrr a0, 0x0ff
  CHECK_ILLEGAL_AT(1b)
  TEST(3)
1:
  csrw 0x3ff, a0
  CHECK_ILLEGAL_AT(1b)
  TEST(4)
1:
  csrrsi a0, 0x1ff, 0
  CHECK_ILLEGAL_AT(1b)
  TEST(5)
1:
  csrr a0, 0x7ff
  CHECK_ILLEGAL_AT(1b)
  /* hypervisor CSRs do not exist (no H) */
#ifndef VT_QEMU  /* QEMU's default CPU has the H extension */
  TEST(6)
1:
  csrr a0, 0x600               /* hstatus */
  CHECK_ILLEGAL_AT(1b)
#endif

  /* ---- read-only CSRs ---- */
  TEST(10)
  csrr a0, mvendorid
  csrr a0, marchid
  csrr a0, mimpid
  csrrs a0, mhartid, x0
  csrrc a0, mhartid, x0
  csrrsi a0, mhartid, 0
  csrrci a0, mhartid, 0
  CHECK_NO_TRAP
  TEST(11)
1:
  csrw mhartid, zero
  CHECK_ILLEGAL_AT(1b)
  TEST(12)
1:
  csrrw a0, mvendorid, x0      /* csrrw always writes */
  CHECK_ILLEGAL_AT(1b)
#ifndef VT_QEMU  /* QEMU 7.2 only traps when the value is non-zero (Spike traps on rs1 != x0) */
  TEST(13)
  li a1, 0
1:
  csrrs a0, mimpid, a1         /* rs1 != x0: a write, even of zero */
  CHECK_ILLEGAL_AT(1b)
#endif
  TEST(14)
1:
  csrrwi a0, cycle, 0
  CHECK_ILLEGAL_AT(1b)
  TEST(15)
1:
  csrrsi a0, instret, 1
  CHECK_ILLEGAL_AT(1b)
  TEST(16)
1:
  csrw time, a0
  CHECK_ILLEGAL_AT(1b)
  TEST(17)
1:
  csrw mconfigptr, zero
  CHECK_ILLEGAL_AT(1b)

  /* misa is WARL: writes never trap (the value may or may not change) */
  TEST(18)
  csrr s9, misa
  csrw misa, s9
  csrs misa, zero
  csrsi misa, 0
  csrr a0, misa
  CHECK_REG(a0, s9)
  CHECK_NO_TRAP
  /* writing the same value back keeps it */
  TEST(19)
  li t0, 1 << ('C' - 'A')
  csrs misa, t0
  csrr a0, misa
  srli a0, a0, 62
  CHECK(a0, 2)                  /* MXL stays 64 */
  CHECK_NO_TRAP
  csrw misa, s9

  /* ---- lower privilege ---- */
  TEST(20)
  VT_ENTER_S
1:
  csrr a0, mstatus
  VT_ENTER_M
  CHECK_ILLEGAL_AT(1b)
  TEST(21)
  VT_ENTER_S
1:
  csrw mscratch, a0
  VT_ENTER_M
  CHECK_ILLEGAL_AT(1b)
  TEST(22)
  VT_ENTER_S
  csrr a0, sstatus              /* allowed */
  csrr a0, sscratch
  csrr a0, satp
  VT_ENTER_M
  CHECK_NO_TRAP
  TEST(23)
  VT_ENTER_U
1:
  csrr a0, sstatus
  VT_ENTER_M
  CHECK_ILLEGAL_AT(1b)
  TEST(24)
  VT_ENTER_U
1:
  csrr a0, mhartid
  VT_ENTER_M
  CHECK_ILLEGAL_AT(1b)
  TEST(25)
  VT_ENTER_U
  csrr a0, fcsr                 /* user CSRs are fine */
  VT_ENTER_M
  CHECK_NO_TRAP

  /* ---- TVM ---- */
  TEST(30)
  li t0, MSTATUS_TVM
  csrs mstatus, t0
  VT_ENTER_S
1:
  csrr a0, satp
  VT_ENTER_M
  CHECK_ILLEGAL_AT(1b)
  TEST(31)
  VT_ENTER_S
1:
  sfence.vma
  VT_ENTER_M
  CHECK_ILLEGAL_AT(1b)
  TEST(32)
  csrr a0, satp                 /* M is not affected */
  sfence.vma
  CHECK_NO_TRAP
  li t0, MSTATUS_TVM
  csrc mstatus, t0
  TEST(33)
  VT_ENTER_S
  csrr a0, satp
  sfence.vma
  VT_ENTER_M
  CHECK_NO_TRAP

  /* ---- TW: wfi in S traps ---- */
  TEST(35)
  li t0, MSTATUS_TW
  csrs mstatus, t0
  VT_ENTER_S
1:
  wfi
  VT_ENTER_M
  CHECK_ILLEGAL_AT(1b)
  li t0, MSTATUS_TW
  csrc mstatus, t0

  /* ---- TSR: sret in S traps ---- */
  TEST(36)
  li t0, MSTATUS_TSR
  csrs mstatus, t0
  VT_ENTER_S
1:
  sret
  VT_ENTER_M
  CHECK_ILLEGAL_AT(1b)
  TEST(37)
  /* sret in M is not affected by TSR */
  li t0, MSTATUS_SPP
  csrs mstatus, t0
  la t0, 1f
  csrw sepc, t0
  sret
1:
  VT_ENTER_M
  CHECK_NO_TRAP
  li t0, MSTATUS_TSR
  csrc mstatus, t0

#ifndef VT_QEMU  /* QEMU's spike board has no time CSR */
  /* ---- counter enables ---- */
  TEST(40)
  csrw mcounteren, zero
  csrw scounteren, zero
  csrr a0, cycle                /* M: always allowed */
  csrr a0, instret
  csrr a0, time
  csrr a0, mcycle
  csrr a0, minstret
  CHECK_NO_TRAP
  TEST(41)
  VT_ENTER_S
1:
  rdcycle a0
  VT_ENTER_M
  CHECK_ILLEGAL_AT(1b)
  TEST(42)
  VT_ENTER_S
1:
  rdtime a0
  VT_ENTER_M
  CHECK_ILLEGAL_AT(1b)
  TEST(43)
  VT_ENTER_S
1:
  rdinstret a0
  VT_ENTER_M
  CHECK_ILLEGAL_AT(1b)
  /* only TM enabled for S */
  TEST(44)
  li t0, 2
  csrw mcounteren, t0
  VT_ENTER_S
  rdtime a0
  VT_ENTER_M
  CHECK_NO_TRAP
  VT_ENTER_S
1:
  rdcycle a0
  VT_ENTER_M
  CHECK_ILLEGAL_AT(1b)
  /* U needs both mcounteren and scounteren */
  TEST(45)
  li t0, 7
  csrw mcounteren, t0
  VT_ENTER_U
1:
  rdcycle a0
  VT_ENTER_M
  CHECK_ILLEGAL_AT(1b)
  TEST(46)
  li t0, 4
  csrw scounteren, t0
  VT_ENTER_U
  rdinstret a0
  VT_ENTER_M
  CHECK_NO_TRAP
  VT_ENTER_U
1:
  rdtime a0
  VT_ENTER_M
  CHECK_ILLEGAL_AT(1b)
  TEST(47)
  li t0, 3
  csrw mcounteren, t0
  li t0, 7
  csrw scounteren, t0
  VT_ENTER_U
1:
  rdinstret a0                 /* scounteren.IR = 1 but mcounteren.IR = 0 */
  VT_ENTER_M
  CHECK_ILLEGAL_AT(1b)
  TEST(48)
  li t0, 7
  csrw mcounteren, t0
  VT_ENTER_U
  rdcycle a0
  rdtime a0
  rdinstret a0
  VT_ENTER_M
  CHECK_NO_TRAP
  /* S-mode is not gated by scounteren */
  TEST(49)
  csrw scounteren, zero
  VT_ENTER_S
  rdcycle a0
  rdtime a0
  rdinstret a0
  VT_ENTER_M
  CHECK_NO_TRAP
  li t0, 7
  csrw scounteren, t0

#endif
  /* ---- Zicntr values ---- */
#ifndef VT_QEMU  /* QEMU without icount does not count instructions */
  TEST(50)
  rdinstret a0
  nop
  nop
  rdinstret a1
  sub a2, a1, a0
  CHECK(a2, 3)                  /* instret counts retired instructions exactly */
#endif
  TEST(51)
  rdcycle a0
  li a3, 100
1:
  addi a3, a3, -1
  bnez a3, 1b
  rdcycle a1
  bleu a1, a0, vt_fail_far      /* cycle advances */
#ifndef VT_QEMU
  TEST(52)
  li t0, 1000000
  csrw minstret, t0
  csrr a0, minstret
  li t0, 1000000
  bltu a0, t0, vt_fail_far
  li t0, 1000010
  bgeu a0, t0, vt_fail_far
  rdinstret a1
  bltu a1, a0, vt_fail_far      /* user alias agrees */
#endif
  TEST(53)
  li t0, 5000000
  csrw mcycle, t0
  csrr a0, mcycle
  li t0, 5000000
  bltu a0, t0, vt_fail_far
#ifndef VT_QEMU
  /* time follows the CLINT's mtime */
  TEST(54)
  li t1, CLINT_MTIME
  ld a0, 0(t1)
  rdtime a1
  ld a2, 0(t1)
  bltu a1, a0, vt_fail_far
  bltu a2, a1, vt_fail_far
  /* time advances (10 MHz): poll with a bound */
  TEST(55)
  rdtime a0
  li a3, 10000000
1:
  rdtime a1
  bne a1, a0, 2f
  addi a3, a3, -1
  bnez a3, 1b
  j vt_fail
2:

#endif
  /* ---- sstatus / sie / sip are views ---- */
  TEST(60)
  csrci mstatus, MSTATUS_SIE
  csrsi sstatus, MSTATUS_SIE
  csrr a0, mstatus
  andi a0, a0, MSTATUS_SIE
  CHECK(a0, MSTATUS_SIE)
  csrci sstatus, MSTATUS_SIE
  csrsi mstatus, MSTATUS_MIE    /* mie = 0, so nothing is taken */
  csrw mie, zero
  csrr a0, sstatus
  andi a0, a0, MSTATUS_MIE | MSTATUS_MPIE
  CHECK(a0, 0)                  /* M fields are not visible in sstatus */
  csrci mstatus, MSTATUS_MIE
  TEST(61)
  li t0, MSTATUS_MPP
  csrs mstatus, t0
  li t0, -1
  csrw sstatus, t0              /* must not change MPP, MIE ... */
  csrr a0, mstatus
  srli a0, a0, 11
  andi a0, a0, 3
  CHECK(a0, 3)
  csrr a0, mstatus
  andi a0, a0, MSTATUS_MIE
  CHECK(a0, 0)
  li t0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR
  csrc sstatus, t0
  TEST(62)
  li t0, 0x222
  csrw mideleg, t0
  csrw mie, zero
  csrw sie, t0
  csrr a0, mie
  CHECK(a0, 0x222)
  csrr a0, sie
  CHECK(a0, 0x222)
  li t0, 0x888
  csrs mie, t0
  csrr a0, sie
  CHECK(a0, 0x222)              /* M bits never visible in sie */
  csrw sie, zero
  csrr a0, mie
  CHECK(a0, 0x888)
  csrw mie, zero
  /* sip.SSIP writable from S when delegated */
  TEST(63)
  csrsi sip, 2
  csrr a0, mip
  andi a0, a0, 2
  CHECK(a0, 2)
  csrci sip, 2
  csrr a0, mip
  andi a0, a0, 2
  CHECK(a0, 0)
  csrw mideleg, zero
  /* mideleg: only S-level interrupts are delegable */
  TEST(64)
  li t0, -1
  csrw mideleg, t0
  csrr a0, mideleg
  li t2, 0x888
  and a0, a0, t2
  CHECK(a0, 0)
  csrw mideleg, zero
  /* mip: MSIP/MTIP/MEIP are not writable through mip */
  TEST(65)
  li t0, -1
  li t1, CLINT_MTIMECMP
  sd t0, 0(t1)
  li t0, 0x888
  csrs mip, t0
  csrr a0, mip
  li t2, 0x888
  and a0, a0, t2
  CHECK(a0, 0)
  /* STIP/SEIP/SSIP writable by M */
  li t0, 0x222
  csrs mip, t0
  csrr a0, mip
  andi a0, a0, 0x222
  CHECK(a0, 0x222)
  csrc mip, t0
  csrr a0, mip
  andi a0, a0, 0x222
  CHECK(a0, 0)
  CHECK_NO_TRAP

  /* ---- PMP: 16 entries readable and writable (entry 0 keeps the all-memory grant) ---- */
#define PMP_RW(n) li t0, 0x0123456789a + (n); csrw pmpaddr##n, t0; csrr a0, pmpaddr##n; CHECK_REG(a0, t0)
  TEST(70)
  PMP_RW(1)
  PMP_RW(2)
  PMP_RW(3)
  PMP_RW(4)
  PMP_RW(5)
  PMP_RW(6)
  PMP_RW(7)
  PMP_RW(8)
  PMP_RW(9)
  PMP_RW(10)
  PMP_RW(11)
  PMP_RW(12)
  PMP_RW(13)
  PMP_RW(14)
  PMP_RW(15)
  CHECK_NO_TRAP
  TEST(71)
  li t0, 0x000000000000001f     /* entries 1..7 off */
  csrw pmpcfg0, t0
  csrr a0, pmpcfg0
  CHECK_REG(a0, t0)
  li t0, 0x0101010101010101     /* entries 8..15: R, off */
  csrw pmpcfg2, t0
  csrr a0, pmpcfg2
  CHECK_REG(a0, t0)
  csrw pmpcfg2, zero
  csrr a0, pmpcfg2
  CHECK(a0, 0)
  CHECK_NO_TRAP
  /* odd pmpcfg registers do not exist on RV64 */
  TEST(72)
1:
  csrr a0, pmpcfg1
  CHECK_ILLEGAL_AT(1b)
  /* S-mode still reaches memory through entry 0 */
  TEST(73)
  VT_ENTER_S
  la a1, vt_pmp_word
  ld a0, 0(a1)
  VT_ENTER_M
  CHECK_NO_TRAP
  VT_PASS

vt_fail_far:
  j vt_fail

VT_DATA
vt_pmp_word: .dword 0
