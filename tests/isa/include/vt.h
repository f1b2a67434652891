/*
 * vt.h - Vessel ISA test framework (bare metal, HTIF exit convention).
 *
 * A test file looks like:
 *
 *     #include "vt.h"
 *     VT_CODE
 *       TEST_RR(1, add, 3, 1, 2)
 *       ...
 *     VT_PASS
 *     VT_DATA
 *       ...
 *
 * Register conventions (do not use them in test bodies except as documented):
 *   gp (x3)   number of the current test case; reported on failure
 *   t5, t6    scratch of the CHECK macros
 *   s2        cause of the last trap            s3  tval of the last trap
 *   s4        epc of the last trap              s5  mode that took it (3 = M, 1 = S)
 *   s6        if non-zero: resume address for the next synchronous trap (then cleared)
 *   s7        interrupt log: each interrupt taken shifts its code in, s7 = s7 << 8 | code
 *   s8        mstatus (M trap) / sstatus (S trap) read at trap entry
 *   s10       number of traps taken since it was last cleared
 *   a6, a7    used by VT_ENTER_M and VT_FAIL (ecall conventions)
 *
 * Trap handlers (M at mtvec, S at stvec) record the trap and resume:
 *   - at s6 if it is non-zero,
 *   - at ra for instruction fetch faults (causes 0, 1, 12): test fetches with `jalr ra, reg`,
 *   - otherwise after the trapping instruction (2 or 4 bytes, read from epc when the
 *     code is reachable physically / untranslated; assumed 4 otherwise).
 *   - interrupts: recorded (also in s7) and the interrupt's enable bit in mie/sie is cleared.
 */
#ifndef VT_H
#define VT_H

/* `la` must be pc-relative (lla), never a GOT load (Debian's gcc defaults to PIE). */
  .option nopic

#define MSTATUS_SIE   (1 << 1)
#define MSTATUS_MIE   (1 << 3)
#define MSTATUS_SPIE  (1 << 5)
#define MSTATUS_UBE   (1 << 6)
#define MSTATUS_MPIE  (1 << 7)
#define MSTATUS_SPP   (1 << 8)
#define MSTATUS_MPP   (3 << 11)
#define MSTATUS_MPP_S (1 << 11)
#define MSTATUS_FS    (3 << 13)
#define MSTATUS_FS_INITIAL (1 << 13)
#define MSTATUS_FS_CLEAN   (2 << 13)
#define MSTATUS_FS_DIRTY   (3 << 13)
#define MSTATUS_MPRV  (1 << 17)
#define MSTATUS_SUM   (1 << 18)
#define MSTATUS_MXR   (1 << 19)
#define MSTATUS_TVM   (1 << 20)
#define MSTATUS_TW    (1 << 21)
#define MSTATUS_TSR   (1 << 22)
#define MSTATUS_SD    (1 << 63)

#define IRQ_SSI 1
#define IRQ_MSI 3
#define IRQ_STI 5
#define IRQ_MTI 7
#define IRQ_SEI 9
#define IRQ_MEI 11

#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS     1
#define CAUSE_ILLEGAL          2
#define CAUSE_BREAKPOINT       3
#define CAUSE_MISALIGNED_LOAD  4
#define CAUSE_LOAD_ACCESS      5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS     7
#define CAUSE_ECALL_U          8
#define CAUSE_ECALL_S          9
#define CAUSE_ECALL_M          11
#define CAUSE_FETCH_PAGE       12
#define CAUSE_LOAD_PAGE        13
#define CAUSE_STORE_PAGE       15
#define CAUSE_INTERRUPT        (1 << 63)

#define CLINT_BASE     0x02000000
#define CLINT_MSIP     0x02000000
#define CLINT_MTIMECMP 0x02004000
#define CLINT_MTIME    0x0200bff8

#define VT_MAGIC_MMODE 0x564d
#define VT_MAGIC_FAIL  0x5646

/* ------------------------------------------------------------------ checks */

/* Fail unless reg == value (a 64-bit constant). reg must not be t5 or t6. */
#define CHECK(reg, value) \
  li t6, value;           \
  beq reg, t6, 9991f;     \
  j vt_fail;              \
9991:

/* Fail unless reg1 == reg2. */
#define CHECK_REG(reg1, reg2) \
  beq reg1, reg2, 9992f;      \
  j vt_fail;                  \
9992:

/* Start test case number n. */
#define TEST(n) li gp, n

/* Register-register op: rd = a0, rs1 = a1, rs2 = a2. */
#define TEST_RR(n, inst, result, v1, v2) \
  TEST(n); li a1, v1; li a2, v2; inst a0, a1, a2; CHECK(a0, result)

/* Same with rd == rs1 and rd == rs2 (source overwrite). */
#define TEST_RR_SRC1(n, inst, result, v1, v2) \
  TEST(n); li a1, v1; li a2, v2; inst a1, a1, a2; CHECK(a1, result)
#define TEST_RR_SRC2(n, inst, result, v1, v2) \
  TEST(n); li a1, v1; li a2, v2; inst a2, a1, a2; CHECK(a2, result)

/* Register-immediate op. */
#define TEST_RI(n, inst, result, v1, imm) \
  TEST(n); li a1, v1; inst a0, a1, imm; CHECK(a0, result)

/* Unary op (rd = a0, rs1 = a1). */
#define TEST_R(n, inst, result, v1) \
  TEST(n); li a1, v1; inst a0, a1; CHECK(a0, result)

/* Expect that the last trap had this cause, then clear the trap counter.
   Also fails if no trap (or more than one) was taken since s10 was cleared. */
#define CHECK_TRAP(cause) \
  CHECK(s10, 1); CHECK(s2, cause); li s10, 0
/* Expect cause, tval (reg or constant) */
#define CHECK_TRAP_TVAL(cause, tval) \
  CHECK(s10, 1); CHECK(s2, cause); CHECK(s3, tval); li s10, 0
#define CHECK_NO_TRAP CHECK(s10, 0)
#define CLEAR_TRAPS li s10, 0; li s2, -1; li s3, -1; li s4, -1; li s5, -1

/* ------------------------------------------------------------------ modes */

/* Switch from M-mode to S-mode (mpp = 1) or U-mode (mpp = 0), continuing after the macro.
   mstatus.MIE is 0 afterwards (MPIE is cleared before the mret). */
#define VT_ENTER_MODE(mpp)                          \
  li t0, MSTATUS_MPP | MSTATUS_MPIE; csrc mstatus, t0; \
  li t0, ((mpp) << 11); csrs mstatus, t0;          \
  la t0, 9993f; csrw mepc, t0; mret;               \
9993:
#define VT_ENTER_S VT_ENTER_MODE(1)
#define VT_ENTER_U VT_ENTER_MODE(0)
/* From any mode back to M-mode (ecall with a magic a7; clobbers a6, a7; not recorded).
   Arrives with mstatus.MIE = 0. */
#define VT_ENTER_M \
  la a6, 9994f; li a7, VT_MAGIC_MMODE; ecall; \
9994:

/* ------------------------------------------------------------------ layout */

#define VT_CODE .text; .globl vt_main; .balign 4; vt_main:
#define VT_PASS j vt_pass
#define VT_DATA .data; .balign 8
#define VT_ALIGN_PAGE .balign 4096

/* ------------------------------------------------------------------ runtime */

  .section .tohost, "aw", @progbits
  .balign 64
  .globl tohost
tohost: .dword 0
  .size tohost, 8
  .balign 64
  .globl fromhost
fromhost: .dword 0
  .size fromhost, 8

  .section .text.init, "ax", @progbits
  .globl _start
_start:
  .option push
  .option norvc
  j vt_reset
  .option pop

  .balign 4
vt_reset:
  li x1, 0
  li x2, 0
  li x3, 0
  li x4, 0
  li x5, 0
  li x6, 0
  li x7, 0
  li x8, 0
  li x9, 0
  li x10, 0
  li x11, 0
  li x12, 0
  li x13, 0
  li x14, 0
  li x15, 0
  li x16, 0
  li x17, 0
  li x18, 0
  li x19, 0
  li x20, 0
  li x21, 0
  li x22, 0
  li x23, 0
  li x24, 0
  li x25, 0
  li x26, 0
  li x27, 0
  li x28, 0
  li x29, 0
  li x30, 0
  li x31, 0
  la t0, vt_mtrap
  csrw mtvec, t0
  la t0, vt_msave
  csrw mscratch, t0
  la t0, vt_strap
  csrw stvec, t0
  la t0, vt_ssave
  csrw sscratch, t0
  csrw medeleg, zero
  csrw mideleg, zero
  csrw mie, zero
  csrw satp, zero
  li t0, 7
  csrw mcounteren, t0
  csrw scounteren, t0
  /* Let S and U access all of memory (PMP: one NAPOT entry covering everything). */
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  /* FP on (Initial), fcsr = 0. */
  li t0, MSTATUS_FS
  csrc mstatus, t0
  li t0, MSTATUS_FS_INITIAL
  csrs mstatus, t0
  csrwi fcsr, 0
  la sp, vt_stack_top
  li s6, 0
  li s7, 0
  li s10, 0
  li gp, 0
  j vt_main

/* ---- pass / fail ---- */
  .balign 4
  .globl vt_pass
vt_pass:
  fence
  li t0, 1
  la t1, tohost
  sd t0, 0(t1)
1:
  j 1b

/* Fail from any mode: ecall into the M handler, which reports gp. */
  .balign 4
  .globl vt_fail
vt_fail:
  li a7, VT_MAGIC_FAIL
  ecall
  j vt_fail_m

  .balign 4
vt_fail_m:
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
  fence
  bnez gp, 1f
  li gp, 1000
1:
  slli t0, gp, 1
  ori t0, t0, 1
  la t1, tohost
  sd t0, 0(t1)
2:
  j 2b

/* ---- M-mode trap handler ---- */
  .balign 64
  .globl vt_mtrap
vt_mtrap:
  csrrw t0, mscratch, t0
  sd t1, 0(t0)
  sd t2, 8(t0)
  sd t3, 16(t0)
  csrr t1, mscratch
  sd t1, 24(t0)
  csrw mscratch, t0
  csrr t1, mcause
  bltz t1, vt_mtrap_irq
  /* ecall from U/S/M with a magic number? */
  li t2, CAUSE_ECALL_U
  bltu t1, t2, vt_mtrap_record
  li t2, CAUSE_ECALL_M
  bgtu t1, t2, vt_mtrap_record
  li t2, VT_MAGIC_MMODE
  bne a7, t2, 1f
  csrw mepc, a6
  li t2, MSTATUS_MPP
  csrs mstatus, t2
  li t2, MSTATUS_MPIE
  csrc mstatus, t2
  j vt_mtrap_out
1:
  li t2, VT_MAGIC_FAIL
  beq a7, t2, vt_fail_m
vt_mtrap_record:
  /* guard against trap storms */
  li t2, 10000
  bltu s10, t2, 1f
  j vt_fail_m
1:
  mv s2, t1
  csrr s3, mtval
  csrr s4, mepc
  li s5, 3
  csrr s8, mstatus
  addi s10, s10, 1
  beqz s6, 1f
  csrw mepc, s6
  li s6, 0
  j vt_mtrap_out
1:
  /* fetch faults resume at ra */
  li t2, CAUSE_FETCH_ACCESS
  bleu t1, t2, 2f
  li t2, CAUSE_FETCH_PAGE
  bne t1, t2, 3f
2:
  csrw mepc, ra
  j vt_mtrap_out
3:
  /* skip the trapping instruction */
  csrr t1, mepc
  li t3, 4
  srli t2, s8, 11
  andi t2, t2, 3
  li t0, 3
  beq t2, t0, 4f          /* from M: epc is physical */
  csrr t2, satp
  bnez t2, 5f             /* translated: assume 4 bytes */
4:
  lhu t2, 0(t1)
  andi t2, t2, 3
  li t0, 3
  beq t2, t0, 5f
  li t3, 2
5:
  add t1, t1, t3
  csrw mepc, t1
  j vt_mtrap_out

vt_mtrap_irq:
  li t2, 10000
  bltu s10, t2, 1f
  j vt_fail_m
1:
  mv s2, t1
  csrr s3, mtval
  csrr s4, mepc
  li s5, 3
  csrr s8, mstatus
  addi s10, s10, 1
  andi t1, t1, 0x3f
  slli s7, s7, 8
  or s7, s7, t1
  li t2, 1
  sll t2, t2, t1
  csrc mie, t2

vt_mtrap_out:
  csrr t0, mscratch
  ld t1, 0(t0)
  ld t2, 8(t0)
  ld t3, 16(t0)
  ld t0, 24(t0)
  mret

/* ---- S-mode trap handler ---- */
  .balign 64
  .globl vt_strap
vt_strap:
  csrrw t0, sscratch, t0
  sd t1, 0(t0)
  sd t2, 8(t0)
  sd t3, 16(t0)
  csrr t1, sscratch
  sd t1, 24(t0)
  csrw sscratch, t0
  csrr t1, scause
  bltz t1, vt_strap_irq
  li t2, CAUSE_ECALL_U
  bltu t1, t2, vt_strap_record
  li t2, CAUSE_ECALL_M
  bgtu t1, t2, vt_strap_record
  li t2, VT_MAGIC_MMODE
  beq a7, t2, 1f
  li t2, VT_MAGIC_FAIL
  bne a7, t2, vt_strap_record
1:
  /* forward magic ecalls to M-mode */
  ld t1, 0(t0)
  ld t2, 8(t0)
  ld t3, 16(t0)
  ld t0, 24(t0)
  ecall
  j vt_fail
vt_strap_record:
  li t2, 10000
  bltu s10, t2, 1f
  j vt_fail
1:
  mv s2, t1
  csrr s3, stval
  csrr s4, sepc
  li s5, 1
  csrr s8, sstatus
  addi s10, s10, 1
  beqz s6, 1f
  csrw sepc, s6
  li s6, 0
  j vt_strap_out
1:
  li t2, CAUSE_FETCH_ACCESS
  bleu t1, t2, 2f
  li t2, CAUSE_FETCH_PAGE
  bne t1, t2, 3f
2:
  csrw sepc, ra
  j vt_strap_out
3:
  csrr t1, sepc
  li t3, 4
  csrr t2, satp
  bnez t2, 5f
  lhu t2, 0(t1)
  andi t2, t2, 3
  li t0, 3
  beq t2, t0, 5f
  li t3, 2
5:
  add t1, t1, t3
  csrw sepc, t1
  j vt_strap_out

vt_strap_irq:
  mv s2, t1
  csrr s3, stval
  csrr s4, sepc
  li s5, 1
  csrr s8, sstatus
  addi s10, s10, 1
  andi t1, t1, 0x3f
  slli s7, s7, 8
  or s7, s7, t1
  li t2, 1
  sll t2, t2, t1
  csrc sie, t2

vt_strap_out:
  csrr t0, sscratch
  ld t1, 0(t0)
  ld t2, 8(t0)
  ld t3, 16(t0)
  ld t0, 24(t0)
  sret

  .data
  .balign 64
vt_msave: .zero 64
vt_ssave: .zero 64
  .balign 16
vt_stack: .zero 4096
vt_stack_top:
  .text

#endif /* VT_H */
