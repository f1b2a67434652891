/*
 * vm_common.h - virtual memory tests shared by vm_sv39.S, vm_sv48.S and vm_sv57.S.
 * Define VM_LEVELS (3, 4 or 5) before including; VM_MODE is the satp mode (8, 9, 10).
 *
 * Page tables (all built at run time in M-mode, physical):
 *   root = L2 (Sv39), L3 (Sv48) or L4 (Sv57); L4[0] -> L3, L3[0] -> L2
 *   L2[2]  1 GiB identity leaf for 0x80000000 (code, data, tohost), U = 0 (U = 1 in the
 *          "user phase"), so the framework keeps working with translation on
 *   L2[0]  1 GiB leaf VA 0 -> PA 0x80000000 (aligned gigapage)
 *   L2[3]  1 GiB leaf with a misaligned PPN (0x80200000)          -> page fault
 *   L2[1] -> L1;  L1[0] -> L0
 *   L1[1]  2 MiB leaf VA 0x40200000 -> PA 0x80400000 (aligned megapage)
 *   L1[2]  2 MiB leaf with a misaligned PPN (0x80401000)           -> page fault
 *   L0[i]  4 KiB test pages at TVA + i * 4096, see the PG_* indices below
 *   Sv48: L3[1] 512 GiB leaf at PA 0; L3[2] misaligned.  Sv57: L4[1] 256 TiB leaf; L4[2] misaligned.
 * All faults go to the M handler (medeleg = 0) unless a test delegates them; the trapping
 * loads/stores are 4-byte instructions (norvc) because the handler cannot read translated code.
 */
#include "vt.h"

#if VM_LEVELS == 3
#define VM_MODE 8
#define VM_ROOT vm_l2
#define VM_NONCANON 0x0000004000000000
#elif VM_LEVELS == 4
#define VM_MODE 9
#define VM_ROOT vm_l3
#define VM_NONCANON 0x0000800000000000
#else
#define VM_MODE 10
#define VM_ROOT vm_l4
#define VM_NONCANON 0x0100000000000000
#endif

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_G 0x20
#define PTE_A 0x40
#define PTE_D 0x80

#define TVA 0x40000000
#define PG_RW       0
#define PG_INVALID  1
#define PG_WNOR     2
#define PG_USER     3
#define PG_XONLY    4
#define PG_RONLY    5
#define PG_NOA      6
#define PG_NOD      7
#define PG_NONLEAF  8
#define PG_CODE     9
#define PG_UCODE    10
#define PG_NOX      11
#define PG_NOAD     12
#define PG_REMAP    13
#define VA(pg) (TVA + (pg) * 4096)

#define SATP_VALUE(root_reg, mode) /* root_reg = physical address of root */ \
  srli root_reg, root_reg, 12; li t1, (mode) << 60; or root_reg, root_reg, t1

/* table[idx] = PTE(pa in pa_reg, flags). Clobbers t0, t1. */
#define SET_PTE(table, idx, pa_reg, flags) \
  srli t0, pa_reg, 12; slli t0, t0, 10; ori t0, t0, flags; la t1, table; sd t0, (idx) * 8(t1)
/* table[idx] -> next-level table */
#define SET_PTR(table, idx, next) \
  la t2, next; SET_PTE(table, idx, t2, PTE_V)
/* leaf for a constant physical address */
#define SET_LEAF_PA(table, idx, pa, flags) \
  li t2, pa; srli t0, t2, 12; slli t0, t0, 10; li t1, flags; or t0, t0, t1; la t1, table; sd t0, (idx) * 8(t1)
/* a0 = current PTE of test page pg */
#define LOAD_PTE(pg) la t1, vm_l0; ld a0, (pg) * 8(t1)

#define KFLAGS (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

  .option norvc
VT_CODE
  CLEAR_TRAPS
  /* ---- zero the tables ---- */
  la t0, vm_l4
  la t1, vm_tables_end
1:
  sd zero, 0(t0)
  addi t0, t0, 8
  bltu t0, t1, 1b
  /* ---- known data ---- */
  la t0, vm_data
  li t1, 0xd00d000000000001
  sd t1, 0(t0)
  li t1, 0xd00d000000000002
  sd t1, 8(t0)
  la t0, vm_data2
  li t1, 0xbeef000000000001
  sd t1, 0(t0)
  li t0, 0x80400000
  li t1, 0x5a5a000000000040
  sd t1, 0x10(t0)
  /* ---- tables ---- */
  SET_PTR(vm_l4, 0, vm_l3)
  SET_PTR(vm_l3, 0, vm_l2)
  SET_LEAF_PA(vm_l2, 2, 0x80000000, KFLAGS)
  SET_LEAF_PA(vm_l2, 0, 0x80000000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_LEAF_PA(vm_l2, 3, 0x80200000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_PTR(vm_l2, 1, vm_l1)
  SET_PTR(vm_l1, 0, vm_l0)
  SET_LEAF_PA(vm_l1, 1, 0x80400000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_LEAF_PA(vm_l1, 2, 0x80401000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_LEAF_PA(vm_l3, 1, 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_LEAF_PA(vm_l3, 2, 0x80000000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_LEAF_PA(vm_l4, 1, 0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_LEAF_PA(vm_l4, 2, 0x80000000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  la a2, vm_data
  la a3, vm_code
  la a4, vm_data2
  SET_PTE(vm_l0, PG_RW, a2, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_PTE(vm_l0, PG_INVALID, a2, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
  SET_PTE(vm_l0, PG_WNOR, a2, PTE_V | PTE_W | PTE_A | PTE_D)
  SET_PTE(vm_l0, PG_USER, a2, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D)
  SET_PTE(vm_l0, PG_XONLY, a2, PTE_V | PTE_X | PTE_A)
  SET_PTE(vm_l0, PG_RONLY, a2, PTE_V | PTE_R | PTE_A | PTE_D)
  SET_PTE(vm_l0, PG_NOA, a2, PTE_V | PTE_R | PTE_W | PTE_D)
  SET_PTE(vm_l0, PG_NOD, a2, PTE_V | PTE_R | PTE_W | PTE_A)
  SET_PTE(vm_l0, PG_NONLEAF, a2, PTE_V)
  SET_PTE(vm_l0, PG_CODE, a3, PTE_V | PTE_R | PTE_X | PTE_A)
  SET_PTE(vm_l0, PG_UCODE, a3, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A)
  SET_PTE(vm_l0, PG_NOX, a3, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  SET_PTE(vm_l0, PG_NOAD, a2, PTE_V | PTE_R | PTE_W)
  SET_PTE(vm_l0, PG_REMAP, a2, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)

  /* ---- satp: mode switching and unsupported modes ---- */
  TEST(1)
  la a0, VM_ROOT
  SATP_VALUE(a0, VM_MODE)
  csrw satp, a0
  csrr a1, satp
  CHECK_REG(a1, a0)
  mv s9, a0                    /* s9 = satp value for this file's mode */
  /* an unsupported mode: the whole write is ignored */
  TEST(2)
  li t0, (7 << 60) | 0x1234
  csrw satp, t0
  csrr a1, satp
  CHECK_REG(a1, s9)
  li t0, (15 << 60) | 0x1234
  csrw satp, t0
  csrr a1, satp
  CHECK_REG(a1, s9)
  /* bare */
  TEST(3)
  csrw satp, zero
  csrr a1, satp
  CHECK(a1, 0)
  /* each mode with its own root, same mappings (root switching, sfence.vma) */
  TEST(4)
  la a0, vm_l2
  SATP_VALUE(a0, 8)
  csrw satp, a0
  sfence.vma
  VT_ENTER_S
  li a1, VA(PG_RW)
  ld a0, 0(a1)
  CHECK(a0, 0xd00d000000000001)
  VT_ENTER_M
  CHECK_NO_TRAP
  TEST(5)
  la a0, vm_l3
  SATP_VALUE(a0, 9)
  csrw satp, a0
  sfence.vma
  VT_ENTER_S
  li a1, VA(PG_RW)
  ld a0, 8(a1)
  CHECK(a0, 0xd00d000000000002)
  VT_ENTER_M
  CHECK_NO_TRAP
  TEST(6)
  la a0, vm_l4
  SATP_VALUE(a0, 10)
  csrw satp, a0
  sfence.vma
  VT_ENTER_S
  li a1, VA(PG_RW)
  ld a0, 0(a1)
  CHECK(a0, 0xd00d000000000001)
  VT_ENTER_M
  CHECK_NO_TRAP
  /* switch to this file's mode for the rest */
  csrw satp, s9
  sfence.vma

  /* ---- basic translation from S ---- */
  TEST(10)
  VT_ENTER_S
  li a1, VA(PG_RW)
  li a2, 0x77
  sd a2, 16(a1)
  ld a0, 16(a1)
  CHECK(a0, 0x77)
  VT_ENTER_M
  la a1, vm_data
  ld a0, 16(a1)
  CHECK(a0, 0x77)              /* the store reached the physical page */
  CHECK_NO_TRAP

  /* ---- invalid PTE ---- */
  TEST(11)
  VT_ENTER_S
  li a1, VA(PG_INVALID)
  ld a0, 0x18(a1)
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_LOAD_PAGE, VA(PG_INVALID) + 0x18)
  TEST(12)
  VT_ENTER_S
  li a1, VA(PG_INVALID)
  sw a0, 0x24(a1)
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_STORE_PAGE, VA(PG_INVALID) + 0x24)
  TEST(13)
  VT_ENTER_S
  li a1, VA(PG_INVALID)
  amoadd.w a0, a0, (a1)
  VT_ENTER_M
#ifndef VT_QEMU  /* QEMU 7.2 reports a load page fault for AMOs */
  CHECK_TRAP_TVAL(CAUSE_STORE_PAGE, VA(PG_INVALID))
#endif
  li s10, 0
  TEST(14)
  VT_ENTER_S
  li a1, VA(PG_INVALID) + 0x40
  jalr ra, 0(a1)
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_FETCH_PAGE, VA(PG_INVALID) + 0x40)
  CHECK(s4, VA(PG_INVALID) + 0x40)
  TEST(15)
  VT_ENTER_S
  li a1, VA(PG_INVALID)
  lr.d a0, (a1)
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_LOAD_PAGE, VA(PG_INVALID))

  /* ---- W without R (reserved encoding) ---- */
  TEST(16)
  VT_ENTER_S
  li a1, VA(PG_WNOR)
  ld a0, 0(a1)
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_LOAD_PAGE, VA(PG_WNOR))
  TEST(17)
  VT_ENTER_S
  li a1, VA(PG_WNOR)
  sd a0, 8(a1)
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_STORE_PAGE, VA(PG_WNOR) + 8)

  /* ---- non-leaf PTE at the last level ---- */
  TEST(18)
  VT_ENTER_S
  li a1, VA(PG_NONLEAF)
  ld a0, 0(a1)
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_LOAD_PAGE, VA(PG_NONLEAF))

  /* ---- read-only page ---- */
  TEST(19)
  VT_ENTER_S
  li a1, VA(PG_RONLY)
  ld a0, 0(a1)
  CHECK(a0, 0xd00d000000000001)
  sd a0, 0x30(a1)
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_STORE_PAGE, VA(PG_RONLY) + 0x30)
  TEST(20)
  VT_ENTER_S
  li a1, VA(PG_RONLY)
  amoswap.d a0, a0, (a1)        /* AMO on a read-only page: store/AMO page fault */
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_STORE_PAGE, VA(PG_RONLY))
  TEST(21)
  VT_ENTER_S
  li a1, VA(PG_RONLY)
  lr.d a0, (a1)                 /* LR only needs read permission */
  VT_ENTER_M
  CHECK_NO_TRAP

  /* ---- U page from S: SUM ---- */
  TEST(22)
  VT_ENTER_S
  li a1, VA(PG_USER)
  ld a0, 0(a1)
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_LOAD_PAGE, VA(PG_USER))
  TEST(23)
  VT_ENTER_S
  li a1, VA(PG_USER)
  sd a0, 0x38(a1)
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_STORE_PAGE, VA(PG_USER) + 0x38)
  TEST(24)
  li t0, MSTATUS_SUM
  csrs mstatus, t0
  VT_ENTER_S
  li a1, VA(PG_USER)
  ld a0, 0(a1)
  CHECK(a0, 0xd00d000000000001)
  li a2, 0x99
  sd a2, 0x38(a1)
  VT_ENTER_M
  CHECK_NO_TRAP
  /* S can never execute a U page, even with SUM */
  TEST(25)
  VT_ENTER_S
  li a1, VA(PG_UCODE)
  jalr ra, 0(a1)
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_FETCH_PAGE, VA(PG_UCODE))
  li t0, MSTATUS_SUM
  csrc mstatus, t0

  /* ---- execute-only page: MXR ---- */
  TEST(26)
  VT_ENTER_S
  li a1, VA(PG_XONLY)
  ld a0, 0(a1)
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_LOAD_PAGE, VA(PG_XONLY))
  TEST(27)
  li t0, MSTATUS_MXR
  csrs mstatus, t0
  VT_ENTER_S
  li a1, VA(PG_XONLY)
  ld a0, 0(a1)
  CHECK(a0, 0xd00d000000000001)
  sd a0, 0(a1)
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_STORE_PAGE, VA(PG_XONLY))   /* MXR does not grant write */
  li t0, MSTATUS_MXR
  csrc mstatus, t0

  /* ---- execute permission ---- */
  TEST(28)
  VT_ENTER_S
  li a1, VA(PG_CODE)
  li a0, 0
  jalr ra, 0(a1)
  CHECK(a0, 0x5a)
  VT_ENTER_M
  CHECK_NO_TRAP
  TEST(29)
  VT_ENTER_S
  li a1, VA(PG_NOX)
  jalr ra, 0(a1)
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_FETCH_PAGE, VA(PG_NOX))
  /* the code page is not readable as data unless R */
  TEST(30)
  VT_ENTER_S
  li a1, VA(PG_CODE)
  lw a0, 0(a1)
  VT_ENTER_M
  CHECK_NO_TRAP                 /* PG_CODE has R */

  /* ---- A and D bits (hardware update) ---- */
  TEST(31)
  VT_ENTER_S
  li a1, VA(PG_NOA)
  ld a0, 0(a1)
  CHECK(a0, 0xd00d000000000001)
  VT_ENTER_M
  CHECK_NO_TRAP
  LOAD_PTE(PG_NOA)
  andi a0, a0, PTE_A
  CHECK(a0, PTE_A)              /* A set by the access */
  TEST(32)
  VT_ENTER_S
  li a1, VA(PG_NOD)
  ld a0, 0(a1)
  VT_ENTER_M
  LOAD_PTE(PG_NOD)
  andi a0, a0, PTE_D
  CHECK(a0, 0)                  /* a read does not set D */
  VT_ENTER_S
  li a1, VA(PG_NOD)
  sd a0, 0x40(a1)
  VT_ENTER_M
  CHECK_NO_TRAP
  LOAD_PTE(PG_NOD)
  andi a0, a0, PTE_D
  CHECK(a0, PTE_D)              /* a store sets D */
  TEST(33)
  VT_ENTER_S
  li a1, VA(PG_NOAD)
  sd a0, 0x48(a1)
  VT_ENTER_M
  CHECK_NO_TRAP
  LOAD_PTE(PG_NOAD)
  andi a0, a0, PTE_A | PTE_D
  CHECK(a0, PTE_A | PTE_D)      /* a store sets both */

  /* ---- superpages ---- */
  TEST(40)
  VT_ENTER_S
  li a1, 0x40200000
  ld a0, 0x10(a1)               /* 2 MiB page -> PA 0x80400000 */
  CHECK(a0, 0x5a5a000000000040)
  VT_ENTER_M
  CHECK_NO_TRAP
  TEST(41)
  VT_ENTER_S
  li a1, 0x40400000 + 0x123458
  ld a0, 0(a1)                  /* misaligned megapage */
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_LOAD_PAGE, 0x40400000 + 0x123458)
  TEST(42)
  VT_ENTER_S
  la a1, vm_data
  li t0, 0x80000000
  sub a1, a1, t0                /* gigapage at VA 0 -> PA 0x80000000 */
  ld a0, 0(a1)
  CHECK(a0, 0xd00d000000000001)
  VT_ENTER_M
  CHECK_NO_TRAP
  TEST(43)
  VT_ENTER_S
  li a1, 0xc0000000 + 0x1000
  sd a0, 0(a1)                  /* misaligned gigapage */
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_STORE_PAGE, 0xc0000000 + 0x1000)
#if VM_LEVELS >= 4
  TEST(44)
  VT_ENTER_S
  la a1, vm_data
  li t0, 0x8000000000           /* 512 GiB page at VA 2^39 -> PA 0 */
  add a1, a1, t0
  ld a0, 0(a1)
  CHECK(a0, 0xd00d000000000001)
  VT_ENTER_M
  CHECK_NO_TRAP
  TEST(45)
  VT_ENTER_S
  li a1, 0x10000000000 + 0x2000
  ld a0, 0(a1)                  /* misaligned 512 GiB page */
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_LOAD_PAGE, 0x10000000000 + 0x2000)
#endif
#if VM_LEVELS >= 5
  TEST(46)
  VT_ENTER_S
  la a1, vm_data
  li t0, 0x1000000000000        /* 256 TiB page at VA 2^48 -> PA 0 */
  add a1, a1, t0
  ld a0, 0(a1)
  CHECK(a0, 0xd00d000000000001)
  VT_ENTER_M
  CHECK_NO_TRAP
  TEST(47)
  VT_ENTER_S
  li a1, 0x2000000000000 + 0x3000
  ld a0, 0(a1)
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_LOAD_PAGE, 0x2000000000000 + 0x3000)
#endif

  /* ---- non-canonical virtual address ---- */
  TEST(48)
  VT_ENTER_S
  li a1, VM_NONCANON
  ld a0, 0(a1)
  VT_ENTER_M
  CHECK_TRAP(CAUSE_LOAD_PAGE)
  TEST(49)
  VT_ENTER_S
  li a1, VM_NONCANON | 0x80000000
  sd a0, 0(a1)
  VT_ENTER_M
  CHECK_TRAP(CAUSE_STORE_PAGE)

  /* ---- SFENCE.VMA after changing a PTE ---- */
  TEST(50)
  VT_ENTER_S
  li a1, VA(PG_REMAP)
  ld a0, 0(a1)
  CHECK(a0, 0xd00d000000000001)
  VT_ENTER_M
  la a2, vm_data2
  SET_PTE(vm_l0, PG_REMAP, a2, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
  VT_ENTER_S
  li a1, VA(PG_REMAP)
  sfence.vma a1, zero
  ld a0, 0(a1)
  CHECK(a0, 0xbeef000000000001)
  VT_ENTER_M
  /* invalidate it: the next access faults after sfence.vma */
  la t1, vm_l0
  sd zero, PG_REMAP * 8(t1)
  VT_ENTER_S
  sfence.vma
  li a1, VA(PG_REMAP)
  ld a0, 0(a1)
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_LOAD_PAGE, VA(PG_REMAP))

  /* ---- page fault delegated to S: scause/stval ---- */
  TEST(51)
  li t0, 1 << CAUSE_LOAD_PAGE
  csrw medeleg, t0
  VT_ENTER_S
  li a1, VA(PG_INVALID) + 0x88
  ld a0, 0(a1)
  VT_ENTER_M
  CHECK(s5, 1)
  CHECK_TRAP_TVAL(CAUSE_LOAD_PAGE, VA(PG_INVALID) + 0x88)
  csrr a0, stval
  CHECK(a0, VA(PG_INVALID) + 0x88)
  csrw medeleg, zero

  /* ---- MPRV: M-mode loads/stores translated as MPP ---- */
  TEST(52)
  li t0, MSTATUS_MPP
  csrc mstatus, t0
  li t0, MSTATUS_MPRV | MSTATUS_MPP_S
  csrs mstatus, t0
  li a1, VA(PG_RW)
  ld a0, 0(a1)
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
  CHECK(a0, 0xd00d000000000001)
  CHECK_NO_TRAP
  TEST(53)
  li t0, MSTATUS_MPP
  csrc mstatus, t0
  li t0, MSTATUS_MPRV | MSTATUS_MPP_S
  csrs mstatus, t0
  li a1, VA(PG_INVALID)
  ld a0, 0(a1)                  /* faults; the trap sets MPP = M (no translation in the handler) */
  li t0, MSTATUS_MPRV
  csrc mstatus, t0
  CHECK_TRAP_TVAL(CAUSE_LOAD_PAGE, VA(PG_INVALID))
  CHECK(s5, 3)

  /* ---- user phase: the identity gigapage becomes a U page ---- */
  SET_LEAF_PA(vm_l2, 2, 0x80000000, KFLAGS | PTE_U)
  sfence.vma
  TEST(60)
  VT_ENTER_U
  li a1, VA(PG_USER)
  ld a0, 0(a1)
  CHECK(a0, 0xd00d000000000001)
  VT_ENTER_M
  CHECK_NO_TRAP
  TEST(61)
  VT_ENTER_U
  li a1, VA(PG_RW)              /* S page from U */
  ld a0, 0(a1)
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_LOAD_PAGE, VA(PG_RW))
  TEST(62)
  VT_ENTER_U
  li a1, VA(PG_RW)
  sd a0, 8(a1)
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_STORE_PAGE, VA(PG_RW) + 8)
  TEST(63)
  li t0, MSTATUS_SUM            /* SUM does not matter for U */
  csrs mstatus, t0
  VT_ENTER_U
  li a1, VA(PG_RW)
  ld a0, 0(a1)
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_LOAD_PAGE, VA(PG_RW))
  li t0, MSTATUS_SUM
  csrc mstatus, t0
  TEST(64)
  VT_ENTER_U
  li a1, VA(PG_UCODE)
  li a0, 0
  jalr ra, 0(a1)
  CHECK(a0, 0x5a)
  VT_ENTER_M
  CHECK_NO_TRAP
  TEST(65)
  VT_ENTER_U
  li a1, VA(PG_CODE)            /* S code page from U */
  jalr ra, 0(a1)
  VT_ENTER_M
  CHECK_TRAP_TVAL(CAUSE_FETCH_PAGE, VA(PG_CODE))
  /* the M-mode handler and M-mode code are unaffected by satp */
  csrw satp, zero
  sfence.vma
  VT_PASS

  .text
  .balign 4096
vm_code:
  li a0, 0x5a
  ret
  .balign 4096

  .data
  .balign 4096
vm_l4: .zero 4096
vm_l3: .zero 4096
vm_l2: .zero 4096
vm_l1: .zero 4096
vm_l0: .zero 4096
vm_tables_end:
vm_data: .zero 4096
vm_data2: .zero 4096
