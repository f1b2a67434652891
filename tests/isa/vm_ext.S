/* Sv39 with Svpbmt (memory types accepted only with menvcfg.PBMTE, 3 reserved, not on
   pointers), Svnapot (64 KiB NAPOT leaves; other sizes, levels and pointers reserved),
   reserved PTE bits 60:54, Svinval (sinval.vma invalidates, the fences order; privilege
   and TVM rules) and cache-block operations under translation (faults are store faults
   at rs1; management operations need read permission only). */
#include "vt.h"
  .option arch, +svinval, +zicbom, +zicboz
  .option norvc
#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_A 0x40
#define PTE_D 0x80
#define RWAD (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define KFLAGS (RWAD | PTE_X)
#define PBMT(n) ((n) << 61)
#define PTE_N (1 << 63)
#define MENVCFG_PBMTE (1 << 62)
#define ENV_CBO ((3 << 4) | (1 << 6) | (1 << 7))
#define TVA 0x40000000
#define VA(pg) (TVA + (pg) * 4096)
#define NAPOT_VA (TVA + 0x10000)

/* table[idx] = PTE for physical address in pa_reg with flags (a 64-bit constant). Clobbers t0-t2. */
#define SET_PTE(table, idx, pa_reg, flags) \
  srli t0, pa_reg, 12; slli t0, t0, 10; li t1, flags; or t0, t0, t1; la t2, table; sd t0, (idx) * 8(t2)

VT_CODE
  CLEAR_TRAPS
  /* Svinval from U-mode (bare): all three illegal */
  TEST(1)
  VT_ENTER_U
  sinval.vma zero, zero
  sfence.w.inval
  sfence.inval.ir
  VT_ENTER_M
  CHECK(s10, 3); CHECK(s2, CAUSE_ILLEGAL); li s10, 0

  /* ---- tables ---- */
  la t0, ve_l2; la t1, ve_tables_end
1: sd zero, 0(t0); addi t0, t0, 8; bltu t0, t1, 1b
  li a0, 0x80000000; SET_PTE(ve_l2, 2, a0, KFLAGS)
  la a0, ve_l1; SET_PTE(ve_l2, 1, a0, PTE_V)
  la a0, ve_l0; SET_PTE(ve_l1, 0, a0, PTE_V)
  li a0, 0x80400000; SET_PTE(ve_l1, 1, a0, RWAD | PTE_N)          /* NAPOT on a megapage */
  la a0, ve_l0; SET_PTE(ve_l1, 2, a0, PTE_V | PBMT(1))            /* PBMT on a pointer */
  la a0, ve_data
  SET_PTE(ve_l0, 0, a0, RWAD)
  SET_PTE(ve_l0, 1, a0, RWAD | PBMT(1))
  SET_PTE(ve_l0, 2, a0, RWAD | PBMT(2))
  SET_PTE(ve_l0, 3, a0, RWAD | PBMT(3))
  SET_PTE(ve_l0, 4, a0, PTE_V | PTE_R | PTE_A)
  SET_PTE(ve_l0, 6, a0, RWAD | (1 << 54))                          /* reserved bit */
  /* NAPOT: 16 identical PTEs, ppn[3:0] = 1000 */
  la a0, ve_napot; li t0, 0x8000; or a0, a0, t0
  la a1, ve_l0 + 16 * 8; li a2, 16
2: srli t0, a0, 12; slli t0, t0, 10; li t1, RWAD | PTE_N; or t0, t0, t1; sd t0, 0(a1)
  addi a1, a1, 8; addi a2, a2, -1; bnez a2, 2b
  la a0, ve_napot; SET_PTE(ve_l0, 32, a0, RWAD | PTE_N)          /* ppn[3:0] = 0000 */
  /* ---- data ---- */
  la t0, ve_data; li t1, 0x1111; sd t1, 0(t0)
  la t0, ve_data2; li t1, 0x2222; sd t1, 0(t0)
  la t0, ve_napot; li t2, 0
3: sd t2, 0(t0); li t1, 0xabc0; add t1, t1, t2; sd t1, 8(t0)
  li t1, 4096; add t0, t0, t1; addi t2, t2, 1; li t1, 16; bltu t2, t1, 3b

  la a0, ve_l2; srli a0, a0, 12; li t1, 8 << 60; or a0, a0, t1; csrw satp, a0
  csrw menvcfg, zero
  sfence.vma
  VT_ENTER_S
  /* ---- Svpbmt ---- */
  TEST(2); li a1, VA(0); ld a0, 0(a1); CHECK(a0, 0x1111)
  TEST(3); li a1, VA(1); ld a0, 0(a1); CHECK_TRAP_TVAL(CAUSE_LOAD_PAGE, VA(1))   /* PBMTE = 0 */
  VT_ENTER_M
  li t0, MENVCFG_PBMTE; csrs menvcfg, t0
  VT_ENTER_S
  TEST(4); li a1, VA(1); ld a0, 0(a1); CHECK(a0, 0x1111)
  li a1, VA(2); ld a0, 0(a1); CHECK(a0, 0x1111)
  li t0, 0x3333; sd t0, 8(a1); li a1, VA(0); ld a0, 8(a1); CHECK(a0, 0x3333); CHECK_NO_TRAP
  TEST(5); li a1, VA(3); ld a0, 0(a1); CHECK_TRAP_TVAL(CAUSE_LOAD_PAGE, VA(3))
  TEST(6); li a1, VA(6); ld a0, 0(a1); CHECK_TRAP_TVAL(CAUSE_LOAD_PAGE, VA(6))
  TEST(7); li a1, 0x40400000; ld a0, 0(a1); CHECK_TRAP_TVAL(CAUSE_LOAD_PAGE, 0x40400000)
  /* ---- Svnapot ---- */
  TEST(8); li a1, NAPOT_VA; ld a0, 0(a1); CHECK(a0, 0); ld a0, 8(a1); CHECK(a0, 0xabc0)
  TEST(9); li a1, NAPOT_VA + 5 * 4096; ld a0, 0(a1); CHECK(a0, 5); ld a0, 8(a1); CHECK(a0, 0xabc5)
  TEST(10); li a1, NAPOT_VA + 15 * 4096; ld a0, 0(a1); CHECK(a0, 15)
  TEST(11); li a1, NAPOT_VA + 7 * 4096; li t0, 0x7777; sd t0, 16(a1)
  la a2, ve_napot; li t0, 7 * 4096; add a2, a2, t0; ld a0, 16(a2); CHECK(a0, 0x7777); CHECK_NO_TRAP
  TEST(12); li a1, VA(32); ld a0, 0(a1); CHECK_TRAP_TVAL(CAUSE_LOAD_PAGE, VA(32))
  TEST(13); li a1, 0x40200000; ld a0, 0(a1); CHECK_TRAP_TVAL(CAUSE_LOAD_PAGE, 0x40200000)
  /* ---- Svinval: remap VA(0) to ve_data2; sinval.vma makes it visible ---- */
  TEST(14); li a1, VA(0); ld a0, 0(a1); CHECK(a0, 0x1111)
  la a0, ve_data2; SET_PTE(ve_l0, 0, a0, RWAD)
  sfence.w.inval
  sinval.vma a1, zero
  sfence.inval.ir
  li a1, VA(0); ld a0, 0(a1); CHECK(a0, 0x2222); CHECK_NO_TRAP
  /* TVM: sinval.vma traps like sfence.vma, the ordering fences do not */
  TEST(15)
  VT_ENTER_M
  li t0, MSTATUS_TVM; csrs mstatus, t0
  VT_ENTER_S
  sinval.vma zero, zero
  CHECK_TRAP(CAUSE_ILLEGAL)
  sfence.w.inval; sfence.inval.ir; CHECK_NO_TRAP
  VT_ENTER_M
  li t0, MSTATUS_TVM; csrc mstatus, t0
  li t0, ENV_CBO; csrs menvcfg, t0
  VT_ENTER_S
  /* ---- cache-block operations under translation ---- */
  TEST(16); li a1, VA(4) + 8; cbo.zero (a1); CHECK_TRAP_TVAL(CAUSE_STORE_PAGE, VA(4) + 8)
  TEST(17); cbo.clean (a1); cbo.flush (a1); cbo.inval (a1); CHECK_NO_TRAP       /* read-only is enough */
  TEST(18); li a1, VA(5) + 0x10; cbo.clean (a1); CHECK_TRAP_TVAL(CAUSE_STORE_PAGE, VA(5) + 0x10)
  TEST(19); cbo.inval (a1); CHECK_TRAP_TVAL(CAUSE_STORE_PAGE, VA(5) + 0x10)
  TEST(20); cbo.zero (a1); CHECK_TRAP_TVAL(CAUSE_STORE_PAGE, VA(5) + 0x10)
  TEST(21); la a2, ve_data2; li t0, -1; sd t0, 64(a2); sd t0, 120(a2); sd t0, 128(a2)
  li a1, VA(0) + 100; cbo.zero (a1)
  ld a0, 64(a2); CHECK(a0, 0); ld a0, 120(a2); CHECK(a0, 0); ld a0, 128(a2); CHECK(a0, -1); CHECK_NO_TRAP
  VT_ENTER_M
VT_PASS
VT_DATA
  VT_ALIGN_PAGE
ve_l2: .skip 4096
ve_l1: .skip 4096
ve_l0: .skip 4096
ve_tables_end:
ve_data: .skip 4096
ve_data2: .skip 4096
  .balign 65536
ve_napot: .skip 65536
