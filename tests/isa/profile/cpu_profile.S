/* --cpu: built three times (-DCPU=0 rv64gc, 1 rva22, 2 rva23) and run with that --cpu.
   misa and which instructions decode follow the profile: an extension the profile does
   not have raises illegal-instruction with the instruction's bits in mtval. */
#include "vt.h"
#define RV64GC 0
#define RVA22 1
#define RVA23 2

/* Runs `insn...`, then checks that it trapped as illegal (if !legal) or did not. */
#define EXPECT(n, legal, insn...) \
  TEST(n); CLEAR_TRAPS; insn;    \
  .if legal; CHECK_NO_TRAP; .else; CHECK_TRAP(CAUSE_ILLEGAL); .endif

VT_CODE
  /* misa.B (Zba + Zbb + Zbs) */
  TEST(1); csrr a0, misa; srli a0, a0, 1; andi a0, a0, 1
  CHECK(a0, (CPU != RV64GC) & 1)   /* (a true comparison is -1 to the assembler) */
  /* Zba, Zbb, Zbs: clz a0, a1 / sh2add a0, a1, a2 / bset a0, a1, a2 */
  EXPECT(2, CPU != RV64GC, .word 0x60059513)
  EXPECT(3, CPU != RV64GC, .word 0x20c5c533)
  EXPECT(4, CPU != RV64GC, .word 0x28c59533)
  /* Zicond: czero.eqz a0, a1, a2 */
  EXPECT(5, CPU == RVA23, .word 0x0ec5d533)
  /* Zcb: c.mul a0, a1 and c.zext.b a0 */
  EXPECT(6, CPU == RVA23, .hword 0x9d4d)
  EXPECT(7, CPU == RVA23, .hword 0x9d61)
  /* Zcmop: c.mop.1 */
  EXPECT(8, CPU == RVA23, .hword 0x6081)
  /* Zicbom/Zicboz (M-mode: no enables needed): cbo.clean (a0), cbo.zero (a0) */
  la a0, cpu_block
  EXPECT(10, CPU != RV64GC, .word 0x0015200f)
  EXPECT(11, CPU != RV64GC, .word 0x0045200f)
  /* Zfhmin: fmv.x.h a0, fa0 */
  EXPECT(12, CPU != RV64GC, .word 0xe4050553)
  /* Svinval: sinval.vma zero, zero (legal in M-mode) */
  EXPECT(13, CPU != RV64GC, .word 0x16000073)
  /* Zimop: mop.r.0 a0, a1; Zawrs: wrs.nto */
  EXPECT(14, CPU == RVA23, .word 0x81c5c573)
  EXPECT(15, CPU == RVA23, .word 0x00d00073)
  /* Zfa: fli.s fa0, -1.0 */
  EXPECT(20, CPU == RVA23, .word 0xf0100553)
  /* Base hints decode everywhere: pause, prefetch.r (ORI), ntl.all (ADD) */
  EXPECT(16, 1, .word 0x0100000f)
  EXPECT(17, 1, .word 0x00156013)
  EXPECT(18, 1, .word 0x00500033)
  /* menvcfg: the cache-block enables and PBMTE exist with their extensions only */
  TEST(19); li t0, (1 << 62) | 0xf0; csrs menvcfg, t0; csrr a0, menvcfg; and a0, a0, t0
  .if CPU == RV64GC
  CHECK(a0, 0)
  .else
  CHECK(a0, (1 << 62) | 0xf0)
  .endif
  /* mtval holds the 16 bits of an illegal compressed instruction */
  .if CPU != RVA23
  TEST(9); CLEAR_TRAPS; .hword 0x9d4d; CHECK_TRAP_TVAL(CAUSE_ILLEGAL, 0x9d4d)
  .endif
VT_PASS
VT_DATA
  .balign 64
cpu_block: .skip 64
