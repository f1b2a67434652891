/* F/D architectural state: fcsr = frm << 5 | fflags (field masking, csrrw/s/c on fflags,
   frm, fcsr), flag accrual, NaN boxing (an improperly boxed single reads as the canonical
   NaN: arithmetic, fsgnj, fclass, fcvt.d.s, compares; fmv.x.w/fsw move raw low bits),
   mstatus.FS: Off makes every F/D instruction and FP CSR access illegal (mtval = bits),
   writing an f register or fcsr sets FS = Dirty and SD, sstatus.FS/SD mirror it. */
#include "vt.h"
#include "fp.h"

#define CHECK_ILLEGAL_AT(label) \
  CHECK_TRAP(CAUSE_ILLEGAL); la a5, label; CHECK_REG(s4, a5); lwu a5, 0(a5); CHECK_REG(s3, a5)
#define SET_FS(v) li t0, MSTATUS_FS; csrc mstatus, t0; li t0, v; csrs mstatus, t0
#define READ_FS(reg) csrr reg, mstatus; srli reg, reg, 13; andi reg, reg, 3

  .option norvc               /* CHECK_ILLEGAL_AT compares 32-bit instruction words */
VT_CODE
  CLEAR_TRAPS
  /* ---- fcsr fields ---- */
  TEST(1)
  li t0, 0xff
  csrw fcsr, t0
  csrr a0, frm
  CHECK(a0, 7)
  csrr a0, fflags
  CHECK(a0, 0x1f)
  li t0, -1
  csrw fcsr, t0
  csrr a0, fcsr
  CHECK(a0, 0xff)                  /* bits above 7 read as zero */
  TEST(2)
  csrwi fcsr, 0
  li t0, -1
  csrw frm, t0
  csrr a0, frm
  CHECK(a0, 7)
  csrr a0, fcsr
  CHECK(a0, 0xe0)
  csrw fflags, t0
  csrr a0, fflags
  CHECK(a0, 0x1f)
  csrr a0, fcsr
  CHECK(a0, 0xff)
  TEST(3)
  csrrci a0, fflags, 0x3
  CHECK(a0, 0x1f)
  csrrsi a0, frm, 0
  CHECK(a0, 7)
  csrrwi a0, frm, 2
  CHECK(a0, 7)
  csrr a0, fcsr
  CHECK(a0, (2 << 5) | 0x1c)
  fsflags a0, zero                 /* pseudo-ops */
  CHECK(a0, 0x1c)
  frrm a0
  CHECK(a0, 2)
  fsrmi 0
  frcsr a0
  CHECK(a0, 0)
  /* ---- accrual ---- */
  TEST(4)
  LOADS(fa1, 0x3f800000)
  LOADS(fa2, 0x40400000)
  fdiv.s fa0, fa1, fa2             /* NX */
  LOADS(fa3, 0)
  fdiv.s fa0, fa1, fa3             /* DZ */
  fmul.s fa0, fa1, fa1             /* exact: no flags, nothing cleared */
  csrr a0, fflags
  CHECK(a0, NX | DZ)
  csrwi fflags, 0

  /* ---- NaN boxing ---- */
  TEST(10)
  li t0, 0x000000003f800000        /* upper 32 bits not all ones */
  fmv.d.x fa1, t0
  LOADS(fa2, 0x3f800000)
  fadd.s fa0, fa1, fa2
  fmv.x.w a0, fa0
  CHECK(a0, 0x7fc00000)            /* canonical NaN */
  csrr a0, fflags
  CHECK(a0, 0)                     /* it is a quiet NaN: no invalid */
  TEST(11)
  fsgnj.s fa0, fa2, fa1            /* sign from a canonical NaN: + */
  fmv.x.w a0, fa0
  CHECK(a0, 0x3f800000)
  li t0, 0x00000000bf800000
  fmv.d.x fa3, t0
  fsgnj.s fa0, fa3, fa3            /* input is the canonical NaN */
  fmv.x.d a0, fa0
  CHECK(a0, 0xffffffff7fc00000)
  TEST(12)
  fclass.s a0, fa1
  CHECK(a0, 1 << 9)
  TEST(13)
  fcvt.d.s fa0, fa1
  fmv.x.d a0, fa0
  CHECK(a0, 0x7ff8000000000000)
  TEST(14)
  feq.s a0, fa1, fa1
  CHECK(a0, 0)
  csrr a0, fflags
  CHECK(a0, 0)
  flt.s a0, fa2, fa1
  CHECK(a0, 0)
  csrr a0, fflags
  CHECK(a0, NV)
  csrwi fflags, 0
  TEST(15)
  fmin.s fa0, fa1, fa2             /* NaN operand ignored */
  fmv.x.w a0, fa0
  CHECK(a0, 0x3f800000)
  /* a NaN-boxed value with a boxed sNaN stays a signaling NaN */
  TEST(16)
  li t0, 0xffffffff7f800001
  fmv.d.x fa1, t0
  fclass.s a0, fa1
  CHECK(a0, 1 << 8)
  /* fmv.x.w and fsw take the low bits as they are */
  TEST(17)
  li t0, 0x123456783f800000
  fmv.d.x fa1, t0
  fmv.x.w a0, fa1
  CHECK(a0, 0x3f800000)
  la a1, fbuf
  fsw fa1, 0(a1)
  lwu a0, 0(a1)
  CHECK(a0, 0x3f800000)
  /* single results written by F instructions are boxed */
  TEST(18)
  LOADS(fa1, 0x3f800000)
  fadd.s fa0, fa1, fa1
  fmv.x.d a0, fa0
  CHECK(a0, 0xffffffff40000000)
  fcvt.s.w fa0, zero
  fmv.x.d a0, fa0
  CHECK(a0, 0xffffffff00000000)
  LOADD(fa1, 0x3ff0000000000000)
  fcvt.s.d fa0, fa1
  fmv.x.d a0, fa0
  CHECK(a0, 0xffffffff3f800000)
  CHECK_NO_TRAP

  /* ---- mstatus.FS ---- */
  TEST(20)
  SET_FS(0)                        /* Off */
  READ_FS(a0)
  CHECK(a0, 0)
  csrr a0, mstatus
  srli a0, a0, 63
  CHECK(a0, 0)                     /* SD = 0 */
1:
  fadd.s fa0, fa1, fa2
  CHECK_ILLEGAL_AT(1b)
  TEST(21)
1:
  fmv.w.x fa0, zero
  CHECK_ILLEGAL_AT(1b)
  TEST(22)
1:
  fmv.x.d a0, fa0
  CHECK_ILLEGAL_AT(1b)
  TEST(23)
  la a1, fbuf
1:
  fld fa0, 0(a1)
  CHECK_ILLEGAL_AT(1b)
  TEST(24)
1:
  fsw fa0, 0(a1)
  CHECK_ILLEGAL_AT(1b)
  TEST(25)
1:
  csrr a0, fcsr
  CHECK_ILLEGAL_AT(1b)
  TEST(26)
1:
  csrwi fflags, 1
  CHECK_ILLEGAL_AT(1b)
  TEST(27)
1:
  csrr a0, frm
  CHECK_ILLEGAL_AT(1b)
  TEST(28)
1:
  fmadd.d fa0, fa1, fa2, fa3
  CHECK_ILLEGAL_AT(1b)
  TEST(29)
  .option push
  .option rvc
1:
  c.fld fa0, 0(a1)                 /* compressed FP load: mtval = 16 bits */
  .option pop
  CHECK_TRAP(CAUSE_ILLEGAL)
  la a5, 1b
  lhu a5, 0(a5)
  CHECK_REG(s3, a5)
  TEST(30)
1:
  fcvt.s.w fa0, a0
  CHECK_ILLEGAL_AT(1b)
  /* FS = Initial: writing an f register makes it Dirty, SD = 1 */
  TEST(31)
  SET_FS(MSTATUS_FS_INITIAL)
  READ_FS(a0)
  CHECK(a0, 1)
  fmv.w.x fa0, zero
  READ_FS(a0)
  CHECK(a0, 3)
  csrr a0, mstatus
  srli a0, a0, 63
  CHECK(a0, 1)
  csrr a0, sstatus
  srli a0, a0, 63
  CHECK(a0, 1)                     /* sstatus.SD */
  csrr a0, sstatus
  srli a0, a0, 13
  andi a0, a0, 3
  CHECK(a0, 3)                     /* sstatus.FS */
  /* FS = Clean: a write to fflags makes it Dirty */
  TEST(32)
  SET_FS(MSTATUS_FS_CLEAN)
  READ_FS(a0)
  CHECK(a0, 2)
  csrr a0, mstatus
  srli a0, a0, 63
  CHECK(a0, 0)                     /* SD = 0 when clean */
  csrwi fflags, 1
  READ_FS(a0)
  CHECK(a0, 3)
  /* FS = Clean: an instruction raising flags makes it Dirty */
  TEST(33)
  SET_FS(MSTATUS_FS_CLEAN)
  LOADS(fa1, 0x3f800000)           /* (this write alone already dirties) */
  SET_FS(MSTATUS_FS_CLEAN)
  feq.s a0, fa1, fa1               /* no f register written, no flags: may stay clean */
  fld fa0, 0(a1)                   /* writes an f register */
  READ_FS(a0)
  CHECK(a0, 3)
  /* sstatus.FS is writable from S */
  TEST(34)
  VT_ENTER_S
  li t0, MSTATUS_FS
  csrc sstatus, t0
1:
  fmv.w.x fa0, zero
  VT_ENTER_M
  CHECK_ILLEGAL_AT(1b)
  READ_FS(a0)
  CHECK(a0, 0)
  SET_FS(MSTATUS_FS_INITIAL)
  VT_PASS

VT_DATA
fbuf: .dword 0, 0
