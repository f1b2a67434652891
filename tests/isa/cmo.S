/* Zicbom and Zicboz without translation: cbo.zero zeroes exactly the aligned 64-byte block
   holding rs1 (also the last block of a page, leaving the next page alone), the management
   operations leave memory alone, accesses outside RAM and devices are store access faults
   (mtval = rs1), and the menvcfg/senvcfg enables (CBIE, CBCFE, CBZE) below M-mode.
   Paging faults are in vm_ext.S. */
#include "vt.h"
  .option arch, +zicbom, +zicboz
#define ENV_CBIE  (3 << 4)
#define ENV_CBCFE (1 << 6)
#define ENV_CBZE  (1 << 7)
#define ENV_ALL   (ENV_CBIE | ENV_CBCFE | ENV_CBZE)

/* Fills the two pages at cmo_pages with 0xa5 bytes. */
#define FILL \
  la t0, cmo_pages; li t1, 8192; li t2, 0xa5a5a5a5a5a5a5a5; \
1: sd t2, 0(t0); addi t0, t0, 8; addi t1, t1, -8; bnez t1, 1b

VT_CODE
  FILL
  /* cbo.zero with rs1 inside a block: the whole aligned block, nothing else */
  TEST(1); la a0, cmo_pages; addi a1, a0, 64 + 37; cbo.zero (a1)
  ld a2, 56(a0); CHECK(a2, 0xa5a5a5a5a5a5a5a5)
  ld a2, 63(a0); CHECK(a2, 0xa5)                      /* bytes 63..70: 63 untouched, 64.. zero */
  ld a2, 64(a0); CHECK(a2, 0)
  ld a2, 120(a0); CHECK(a2, 0)
  ld a2, 128(a0); CHECK(a2, 0xa5a5a5a5a5a5a5a5)
  lbu a2, 63(a0); CHECK(a2, 0xa5)
  /* the last block of the first page: the second page keeps its bytes */
  TEST(2); li t0, 4096 - 1; add a1, a0, t0; cbo.zero (a1)
  li t0, 4096 - 64; add a2, a0, t0; ld a3, 0(a2); CHECK(a3, 0); ld a3, 56(a2); CHECK(a3, 0)
  ld a3, -8(a2); CHECK(a3, 0xa5a5a5a5a5a5a5a5)
  li t0, 4096; add a2, a0, t0; ld a3, 0(a2); CHECK(a3, 0xa5a5a5a5a5a5a5a5)
  /* management operations change nothing */
  TEST(3); addi a1, a0, 256; cbo.clean (a1); cbo.flush (a1); cbo.inval (a1)
  ld a2, 256(a0); CHECK(a2, 0xa5a5a5a5a5a5a5a5); CHECK_NO_TRAP
  /* outside RAM and devices: store access fault, mtval = rs1 */
  TEST(4); CLEAR_TRAPS; li a1, 0x40000010; cbo.zero (a1); CHECK_TRAP_TVAL(CAUSE_STORE_ACCESS, 0x40000010)
  TEST(5); li a1, 0x40000020; cbo.clean (a1); CHECK_TRAP_TVAL(CAUSE_STORE_ACCESS, 0x40000020)
  TEST(6); li a1, 0x40000030; cbo.inval (a1); CHECK_TRAP_TVAL(CAUSE_STORE_ACCESS, 0x40000030)

  /* ---- enables: menvcfg for S and U, senvcfg also for U */
  TEST(10); csrw menvcfg, zero; csrw senvcfg, zero
  VT_ENTER_S
  addi a1, a0, 512
  cbo.zero (a1)
  VT_ENTER_M
  CHECK_TRAP(CAUSE_ILLEGAL)
  TEST(11)
  VT_ENTER_S
  cbo.clean (a1); cbo.flush (a1); cbo.inval (a1)
  VT_ENTER_M
  CHECK(s10, 3); CHECK(s2, CAUSE_ILLEGAL); li s10, 0
  /* menvcfg on: S may, U still needs senvcfg */
  TEST(12); li t0, ENV_ALL; csrw menvcfg, t0
  VT_ENTER_S
  cbo.zero (a1); cbo.clean (a1); cbo.flush (a1); cbo.inval (a1)
  VT_ENTER_M
  CHECK_NO_TRAP; ld a2, 512(a0); CHECK(a2, 0)
  TEST(13)
  VT_ENTER_U
  cbo.zero (a1); cbo.clean (a1); cbo.inval (a1)
  VT_ENTER_M
  CHECK(s10, 3); CHECK(s2, CAUSE_ILLEGAL); li s10, 0
  TEST(14); li t0, ENV_ALL; csrw senvcfg, t0; FILL
  VT_ENTER_U
  cbo.zero (a1); cbo.clean (a1); cbo.flush (a1); cbo.inval (a1)
  VT_ENTER_M
  CHECK_NO_TRAP; ld a2, 512(a0); CHECK(a2, 0)
  /* one field at a time: CBZE alone allows cbo.zero only */
  TEST(15); li t0, ENV_CBZE; csrw menvcfg, t0
  VT_ENTER_S
  cbo.zero (a1); cbo.clean (a1)
  VT_ENTER_M
  CHECK(s10, 1); CHECK(s2, CAUSE_ILLEGAL); li s10, 0
  /* CBIE = 01 (flush) also enables cbo.inval; CBIE = 10 is reserved (WARL: unchanged) */
  TEST(16); li t0, 1 << 4; csrw menvcfg, t0; csrr a2, menvcfg; CHECK(a2, 1 << 4)
  li t0, 2 << 4; csrw menvcfg, t0; csrr a2, menvcfg; CHECK(a2, 1 << 4)
  VT_ENTER_S
  cbo.inval (a1)
  VT_ENTER_M
  CHECK_NO_TRAP
  TEST(17); li t0, ENV_ALL; csrw menvcfg, t0; csrr a2, menvcfg; andi a2, a2, ENV_ALL; CHECK(a2, ENV_ALL)
  csrr a2, senvcfg; CHECK(a2, ENV_ALL)
  /* senvcfg has no PBMTE */
  li t0, -1; csrw senvcfg, t0; csrr a2, senvcfg; CHECK(a2, ENV_ALL | 1)
VT_PASS
VT_DATA
  VT_ALIGN_PAGE
cmo_pages: .skip 8192
