/* Interrupts: CLINT msip (MSI) and mtimecmp (MTI), mip-injected SSI/STI/SEI; priority
   order MEI > MSI > MTI > SEI > SSI > STI (MEI has no source on this board: not tested);
   enables mstatus.MIE/SIE and mie; mideleg delegation to S; an interrupt for a higher
   privilege is taken regardless of its xIE while running at a lower privilege; delegated
   interrupts are never taken in M; mcause/mepc values; vectored mtvec/stvec; WFI wake-up
   with and without global enable. */
#include "vt.h"

/* QEMU 7.2 takes pending interrupts lowest-number-first (a QEMU bug fixed in 8.0). */
#ifdef VT_QEMU
#define CHECK_ORDER(v)
#else
#define CHECK_ORDER(v) CHECK(s7, v)
#endif

#define MIP_ALL ((1 << IRQ_SSI) | (1 << IRQ_MSI) | (1 << IRQ_STI) | (1 << IRQ_MTI) | (1 << IRQ_SEI))

VT_CODE
  CLEAR_TRAPS
  li s7, 0
  /* quiet timer */
  li t1, CLINT_MTIMECMP
  li t0, -1
  sd t0, 0(t1)

  /* ---- MSI through the CLINT ---- */
  TEST(1)
  li t1, CLINT_MSIP
  li t0, 1
  sw t0, 0(t1)
  csrr a0, mip
  andi a0, a0, 1 << IRQ_MSI
  CHECK(a0, 1 << IRQ_MSI)
  li t0, 1 << IRQ_MSI
  csrw mie, t0
  CHECK_NO_TRAP                /* MIE = 0 in M: not taken */
  csrsi mstatus, MSTATUS_MIE
1:
  nop
  csrci mstatus, MSTATUS_MIE
  CHECK_TRAP(CAUSE_INTERRUPT | IRQ_MSI)
  CHECK(s5, 3)
  CHECK(s7, IRQ_MSI)
  la a1, 1b                    /* taken right after csrs: mepc = the next instruction */
  CHECK_REG(s4, a1)
  srli a0, s8, 7
  andi a0, a0, 1
  CHECK(a0, 1)                 /* MPIE = 1 */
  li t1, CLINT_MSIP
  sw zero, 0(t1)
  csrr a0, mip
  andi a0, a0, 1 << IRQ_MSI
  CHECK(a0, 0)

  /* ---- MTI through mtimecmp ---- */
  TEST(2)
  li s7, 0
  li t1, CLINT_MTIMECMP
  sd zero, 0(t1)               /* mtime >= 0: pending */
  csrr a0, mip
  andi a0, a0, 1 << IRQ_MTI
  CHECK(a0, 1 << IRQ_MTI)
  li t0, 1 << IRQ_MTI
  csrw mie, t0
  csrsi mstatus, MSTATUS_MIE
  nop
  csrci mstatus, MSTATUS_MIE
  CHECK_TRAP(CAUSE_INTERRUPT | IRQ_MTI)
  li t0, -1
  sd t0, 0(t1)
  csrr a0, mip
  andi a0, a0, 1 << IRQ_MTI
  CHECK(a0, 0)                 /* writing mtimecmp clears MTIP */

  /* ---- priority: everything pending at once, all in M ---- */
  TEST(3)
  li s7, 0
  li t1, CLINT_MSIP
  li t0, 1
  sw t0, 0(t1)
  li t1, CLINT_MTIMECMP
  sd zero, 0(t1)
  li t0, (1 << IRQ_SSI) | (1 << IRQ_STI) | (1 << IRQ_SEI)
  csrs mip, t0
  li t0, MIP_ALL
  csrw mie, t0
  csrsi mstatus, MSTATUS_MIE
  nop
  csrci mstatus, MSTATUS_MIE
  CHECK(s10, 5)
  CHECK_ORDER(0x0307090105)      /* MSI, MTI, SEI, SSI, STI */
  li s10, 0
  /* again with only the S-level ones */
  TEST(4)
  li s7, 0
  li t0, (1 << IRQ_SSI) | (1 << IRQ_STI) | (1 << IRQ_SEI)
  csrw mie, t0
  csrsi mstatus, MSTATUS_MIE
  nop
  csrci mstatus, MSTATUS_MIE
  CHECK(s10, 3)
  CHECK_ORDER(0x090105)
  li s10, 0
  /* STI before... SSI beats STI */
  TEST(5)
  li s7, 0
  li t0, (1 << IRQ_SSI) | (1 << IRQ_STI)
  csrw mie, t0
  csrsi mstatus, MSTATUS_MIE
  nop
  csrci mstatus, MSTATUS_MIE
  CHECK_ORDER(0x0105)
  li s10, 0
  /* cleanup */
  li t1, CLINT_MSIP
  sw zero, 0(t1)
  li t1, CLINT_MTIMECMP
  li t0, -1
  sd t0, 0(t1)
  li t0, MIP_ALL
  csrc mip, t0
  csrw mie, zero

  /* ---- M-level interrupt taken in S and U even though mstatus.MIE = 0 ---- */
  TEST(10)
  li s7, 0
  csrsi mip, 1 << IRQ_SSI      /* not delegated: an M-level trap */
  li t0, 1 << IRQ_SSI
  csrw mie, t0
  csrci mstatus, MSTATUS_MIE
  CHECK_NO_TRAP
  VT_ENTER_S                   /* taken as soon as S runs */
  VT_ENTER_M
  CHECK_TRAP(CAUSE_INTERRUPT | IRQ_SSI)
  CHECK(s5, 3)
  srli a0, s8, 11
  andi a0, a0, 3
  CHECK(a0, 1)                 /* MPP = S */
  csrci mip, 1 << IRQ_SSI
  TEST(11)
  li t1, CLINT_MSIP
  li t0, 1
  sw t0, 0(t1)
  li t0, 1 << IRQ_MSI
  csrw mie, t0
  VT_ENTER_U
  VT_ENTER_M
  CHECK_TRAP(CAUSE_INTERRUPT | IRQ_MSI)
  srli a0, s8, 11
  andi a0, a0, 3
  CHECK(a0, 0)                 /* MPP = U */
  li t1, CLINT_MSIP
  sw zero, 0(t1)
  /* ... but not if its mie bit is clear */
  TEST(12)
  csrw mie, zero
  csrsi mip, 1 << IRQ_SSI
  VT_ENTER_S
  VT_ENTER_M
  CHECK_NO_TRAP
  csrci mip, 1 << IRQ_SSI

  /* ---- delegated interrupts ---- */
  TEST(20)
  li t0, (1 << IRQ_SSI) | (1 << IRQ_STI) | (1 << IRQ_SEI)
  csrw mideleg, t0
  csrw mie, t0
  csrsi mip, 1 << IRQ_SSI
  /* in M, a delegated interrupt is never taken, even with SIE and MIE set */
  csrsi mstatus, MSTATUS_SIE | MSTATUS_MIE
  nop
  csrci mstatus, MSTATUS_SIE | MSTATUS_MIE
  CHECK_NO_TRAP
  /* in S with SIE = 0: not taken */
  TEST(21)
  VT_ENTER_S
  nop
  VT_ENTER_M
  CHECK_NO_TRAP
  /* in S with SIE = 1: taken by S */
  TEST(22)
  li s7, 0
  VT_ENTER_S
  csrsi sstatus, MSTATUS_SIE
1:
  nop
  csrci sstatus, MSTATUS_SIE
  VT_ENTER_M
  CHECK_TRAP(CAUSE_INTERRUPT | IRQ_SSI)
  CHECK(s5, 1)
  la a1, 1b
  CHECK_REG(s4, a1)
  csrr a0, scause
  CHECK(a0, CAUSE_INTERRUPT | IRQ_SSI)
  /* in U with SIE = 0: taken by S (higher privilege) */
  TEST(23)
  li t0, 1 << IRQ_SSI
  csrs mie, t0                 /* the S handler cleared sie.SSIE */
  VT_ENTER_U
  nop
  VT_ENTER_M
  CHECK_TRAP(CAUSE_INTERRUPT | IRQ_SSI)
  CHECK(s5, 1)
  srli a0, s8, 8
  andi a0, a0, 1
  CHECK(a0, 0)                 /* SPP = U */
  csrci mip, 1 << IRQ_SSI
  /* priority among delegated ones, taken in S */
  TEST(24)
  li s7, 0
  li t0, (1 << IRQ_SSI) | (1 << IRQ_STI) | (1 << IRQ_SEI)
  csrs mip, t0
  csrs mie, t0
  VT_ENTER_S
  csrsi sstatus, MSTATUS_SIE
  nop
  csrci sstatus, MSTATUS_SIE
  VT_ENTER_M
  CHECK(s10, 3)
  CHECK_ORDER(0x090105)
  li s10, 0
  li t0, (1 << IRQ_SSI) | (1 << IRQ_STI) | (1 << IRQ_SEI)
  csrc mip, t0
  /* a non-delegated M interrupt beats a delegated one while in S */
  TEST(25)
  li s7, 0
  li t1, CLINT_MSIP
  li t0, 1
  sw t0, 0(t1)
  li t0, (1 << IRQ_MSI) | (1 << IRQ_SSI)
  csrw mie, t0
  csrsi mip, 1 << IRQ_SSI
  VT_ENTER_S
  csrsi sstatus, MSTATUS_SIE
  nop
  csrci sstatus, MSTATUS_SIE
  VT_ENTER_M
  CHECK_ORDER(0x0301)
  li s10, 0
  li t1, CLINT_MSIP
  sw zero, 0(t1)
  csrci mip, 1 << IRQ_SSI
  csrw mideleg, zero
  csrw mie, zero

  /* ---- vectored mtvec: interrupt code n goes to BASE + 4n ---- */
  TEST(30)
  li a5, 0
  la t0, mvec
  ori t0, t0, 1
  csrw mtvec, t0
  li t1, CLINT_MSIP
  li t0, 1
  sw t0, 0(t1)
  li t0, 1 << IRQ_MSI
  csrw mie, t0
  csrsi mstatus, MSTATUS_MIE
  nop
  csrci mstatus, MSTATUS_MIE
  CHECK(a5, 0x33)              /* came through slot 3 */
  CHECK_TRAP(CAUSE_INTERRUPT | IRQ_MSI)
  li t1, CLINT_MSIP
  sw zero, 0(t1)
  /* exceptions use BASE (slot 0) */
  TEST(31)
  li a5, 0
  li a7, 0
  ecall
  CHECK(a5, 0xee)
  CHECK_TRAP(CAUSE_ECALL_M)
  TEST(32)
  li a5, 0
  li t0, 1 << IRQ_MTI
  csrw mie, t0
  li t1, CLINT_MTIMECMP
  sd zero, 0(t1)
  csrsi mstatus, MSTATUS_MIE
  nop
  csrci mstatus, MSTATUS_MIE
  CHECK(a5, 0x77)
  CHECK_TRAP(CAUSE_INTERRUPT | IRQ_MTI)
  li t0, -1
  sd t0, 0(t1)
  la t0, vt_mtrap
  csrw mtvec, t0
  /* vectored stvec for a delegated STI */
  TEST(33)
  li a5, 0
  li t0, 1 << IRQ_STI
  csrw mideleg, t0
  csrw mie, t0
  csrs mip, t0
  la t0, svec
  ori t0, t0, 1
  csrw stvec, t0
  VT_ENTER_S
  csrsi sstatus, MSTATUS_SIE
  nop
  csrci sstatus, MSTATUS_SIE
  VT_ENTER_M
  CHECK(a5, 0x55)
  CHECK_TRAP(CAUSE_INTERRUPT | IRQ_STI)
  CHECK(s5, 1)
  la t0, vt_strap
  csrw stvec, t0
  li t0, 1 << IRQ_STI
  csrc mip, t0
  csrw mideleg, zero
  csrw mie, zero

  /* ---- WFI ---- */
  /* wakes up on a pending+enabled interrupt even with MIE = 0 (no trap) */
  TEST(40)
  li t0, 1 << IRQ_MTI
  csrw mie, t0
  li t1, CLINT_MTIME
  ld t0, 0(t1)
  li t2, 10000                 /* 1 ms */
  add t0, t0, t2
  li t1, CLINT_MTIMECMP
  sd t0, 0(t1)
  li a3, 100
1:
  wfi
  csrr a0, mip
  andi a0, a0, 1 << IRQ_MTI
  bnez a0, 2f
  addi a3, a3, -1              /* wfi may return early: retry a bounded number of times */
  bnez a3, 1b
  j vt_fail
2:
  CHECK_NO_TRAP
  li t1, CLINT_MTIMECMP
  li t0, -1
  sd t0, 0(t1)
  /* with MIE = 1 the interrupt is taken after the wfi (mepc = next instruction) */
  TEST(41)
  li t1, CLINT_MTIME
  ld t0, 0(t1)
  li t2, 10000
  add t0, t0, t2
  li t1, CLINT_MTIMECMP
  sd t0, 0(t1)
  li t0, 1 << IRQ_MTI
  csrw mie, t0
  csrsi mstatus, MSTATUS_MIE
  li a3, 100
1:
  wfi
3:
  bnez s10, 2f
  addi a3, a3, -1
  bnez a3, 1b
  j vt_fail
2:
  csrci mstatus, MSTATUS_MIE
  CHECK_TRAP(CAUSE_INTERRUPT | IRQ_MTI)
  la a1, 3b
  CHECK_REG(s4, a1)
  li t1, CLINT_MTIMECMP
  li t0, -1
  sd t0, 0(t1)
  /* wfi in S (TW = 0) waiting for a delegated timer-like STI set by... the M timer */
  TEST(42)
  li t0, 1 << IRQ_MTI
  csrw mie, t0
  li t1, CLINT_MTIME
  ld t0, 0(t1)
  li t2, 10000
  add t0, t0, t2
  li t1, CLINT_MTIMECMP
  sd t0, 0(t1)
  VT_ENTER_S
  li a3, 100
1:
  wfi                          /* the M interrupt is taken in S regardless of MIE */
  bnez s10, 2f
  addi a3, a3, -1
  bnez a3, 1b
  j vt_fail
2:
  VT_ENTER_M
  CHECK_TRAP(CAUSE_INTERRUPT | IRQ_MTI)
  CHECK(s5, 3)
  li t1, CLINT_MTIMECMP
  li t0, -1
  sd t0, 0(t1)
  csrw mie, zero
  VT_PASS

/* vector tables: 4-byte slots */
  .balign 256
mvec:
  .option push
  .option norvc
  j mvec_exc            /* 0: exceptions */
  j vt_mtrap            /* 1 SSI */
  j vt_mtrap            /* 2 */
  j mvec_msi            /* 3 MSI */
  j vt_mtrap            /* 4 */
  j vt_mtrap            /* 5 STI */
  j vt_mtrap            /* 6 */
  j mvec_mti            /* 7 MTI */
  j vt_mtrap            /* 8 */
  j vt_mtrap            /* 9 SEI */
  j vt_mtrap            /* 10 */
  j vt_mtrap            /* 11 MEI */
  .option pop
mvec_exc:
  li a5, 0xee
  j vt_mtrap
mvec_msi:
  li a5, 0x33
  j vt_mtrap
mvec_mti:
  li a5, 0x77
  j vt_mtrap

  .balign 256
svec:
  .option push
  .option norvc
  j vt_strap            /* 0 */
  j vt_strap            /* 1 SSI */
  j vt_strap            /* 2 */
  j vt_strap            /* 3 */
  j vt_strap            /* 4 */
  j svec_sti            /* 5 STI */
  j vt_strap
  j vt_strap
  j vt_strap
  j vt_strap
  .option pop
svec_sti:
  li a5, 0x55
  j vt_strap
