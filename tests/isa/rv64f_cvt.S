/* RV64F conversions and moves: fcvt.{w,wu,l,lu}.s saturation and invalid/inexact flags in
   every rounding mode, fcvt.s.{w,wu,l,lu} (rounding, low 32 bits only for W), fmv.x.w
   (sign extension), fmv.w.x (NaN boxing), fclass.s (all ten classes), feq/flt/fle
   (quiet vs signaling NaN), flw/fsw (boxing, raw bits). */
#include "vt.h"
#include "fp.h"
#define ONE 0x3f800000
#define QNAN 0x7fc00000
#define SNAN 0x7f800001
#define INF 0x7f800000
#define NINF 0xff800000
VT_CODE
  /* fcvt.w.s */
  TEST_S_TO_X(1, fcvt.w.s, 2, NX, 0x3fc00000)                 /* 1.5 -> 2 (RNE) */
  TEST_S_TO_X(2, fcvt.w.s, -2, NX, 0xbfc00000)
  TEST_S_TO_X(3, fcvt.w.s, 2, NX, 0x40200000)                 /* 2.5 -> 2 (ties to even) */
  TEST_S_TO_X_RM(4, fcvt.w.s, rtz, 1, NX, 0x3fc00000)
  TEST_S_TO_X_RM(5, fcvt.w.s, rdn, -2, NX, 0xbfa00000)        /* -1.25 */
  TEST_S_TO_X_RM(6, fcvt.w.s, rup, -1, NX, 0xbfa00000)
  TEST_S_TO_X_RM(7, fcvt.w.s, rmm, 3, NX, 0x40200000)         /* 2.5 -> 3 */
  TEST_S_TO_X_RM(8, fcvt.w.s, rmm, -3, NX, 0xc0200000)
  TEST_S_TO_X(9, fcvt.w.s, 0x7fffffff, NV, QNAN)
  TEST_S_TO_X(10, fcvt.w.s, 0x7fffffff, NV, SNAN)
  TEST_S_TO_X(11, fcvt.w.s, 0x7fffffff, NV, 0xffc00000)       /* negative NaN: still max */
  TEST_S_TO_X(12, fcvt.w.s, 0x7fffffff, NV, INF)
  TEST_S_TO_X(13, fcvt.w.s, 0xffffffff80000000, NV, NINF)
  TEST_S_TO_X(14, fcvt.w.s, 0x7fffffff, NV, 0x4f000000)       /* 2^31 */
  TEST_S_TO_X(15, fcvt.w.s, 0xffffffff80000000, 0, 0xcf000000) /* -2^31 exact */
  TEST_S_TO_X(16, fcvt.w.s, 0xffffffff80000000, NV, 0xcf000001)
  TEST_S_TO_X(17, fcvt.w.s, 0, NX, 0xbf000000)                /* -0.5 -> -0 -> 0 */
  TEST_S_TO_X(18, fcvt.w.s, 0, 0, 0x80000000)
  /* fcvt.wu.s: result sign-extended from 32 bits */
  TEST_S_TO_X(20, fcvt.wu.s, 0, NV, 0xbf800000)               /* -1 */
  TEST_S_TO_X_RM(21, fcvt.wu.s, rtz, 0, NX, 0xbf666666)       /* -0.9 rtz -> 0: inexact only */
  TEST_S_TO_X(22, fcvt.wu.s, 0, NV, 0xbf666666)               /* -0.9 rne -> -1: invalid */
  TEST_S_TO_X(23, fcvt.wu.s, 0xffffffffffffffff, NV, QNAN)
  TEST_S_TO_X(24, fcvt.wu.s, 0xffffffffffffffff, NV, INF)
  TEST_S_TO_X(25, fcvt.wu.s, 0, NV, NINF)
  TEST_S_TO_X(26, fcvt.wu.s, 0xffffffff80000000, 0, 0x4f000000)  /* 2^31 fits, sign-extended */
  TEST_S_TO_X(27, fcvt.wu.s, 0xffffffffffffff00, 0, 0x4f7fffff)  /* largest single below 2^32 */
  TEST_S_TO_X(28, fcvt.wu.s, 0xffffffffffffffff, NV, 0x4f800000) /* 2^32 */
  /* fcvt.l.s / fcvt.lu.s */
  TEST_S_TO_X(30, fcvt.l.s, 0x7fffffffffffffff, NV, QNAN)
  TEST_S_TO_X(31, fcvt.l.s, 0x7fffffffffffffff, NV, 0x5f000000)  /* 2^63 */
  TEST_S_TO_X(32, fcvt.l.s, 0x8000000000000000, 0, 0xdf000000)   /* -2^63 exact */
  TEST_S_TO_X(33, fcvt.l.s, 0x8000000000000000, NV, NINF)
  TEST_S_TO_X(34, fcvt.l.s, 0x7fffff8000000000, 0, 0x5effffff)
  TEST_S_TO_X(35, fcvt.l.s, -1, NX, 0xbf400000)               /* -0.75 -> -1 */
  TEST_S_TO_X(36, fcvt.lu.s, 0, NV, 0xbf800000)
  TEST_S_TO_X(37, fcvt.lu.s, 0xffffffffffffffff, NV, 0x5f800000) /* 2^64 */
  TEST_S_TO_X(38, fcvt.lu.s, 0xffffffffffffffff, NV, SNAN)
  TEST_S_TO_X(39, fcvt.lu.s, 0x8000000000000000, 0, 0x5f000000)
  TEST_S_TO_X_RM(40, fcvt.lu.s, rup, 1, NX, 0x33800000)       /* tiny positive rounds up to 1 */
  /* integer -> single */
  TEST_X_TO_S(50, fcvt.s.w, S(0xbf800000), 0, -1)
  TEST_X_TO_S(51, fcvt.s.w, 0x4f000000, NX, 0x7fffffff)
  TEST_X_TO_S_RM(52, fcvt.s.w, rtz, 0x4effffff, NX, 0x7fffffff)
  TEST_X_TO_S(53, fcvt.s.w, ONE, 0, 0x100000001)              /* only the low 32 bits */
  TEST_X_TO_S(54, fcvt.s.w, S(0xcf000000), 0, 0x80000000)
  TEST_X_TO_S(55, fcvt.s.wu, 0x4f800000, NX, 0xffffffff)
  TEST_X_TO_S(56, fcvt.s.wu, 0x4f000000, 0, 0xffffffff80000000) /* low 32 bits = 2^31 */
  TEST_X_TO_S(57, fcvt.s.l, S(0xdf000000), 0, 0x8000000000000000)
  TEST_X_TO_S(58, fcvt.s.l, 0x5f000000, NX, 0x7fffffffffffffff)
  TEST_X_TO_S_RM(59, fcvt.s.l, rdn, 0x5effffff, NX, 0x7fffffffffffffff)
  TEST_X_TO_S(60, fcvt.s.lu, 0x5f800000, NX, 0xffffffffffffffff)
  TEST_X_TO_S(61, fcvt.s.lu, 0, 0, 0)
  TEST_X_TO_S(62, fcvt.s.l, 0x4b800002, NX, 16777219)         /* 2^24 + 3 -> 2^24 + 4 (RNE) */

  /* fmv.x.w sign-extends, fmv.w.x NaN-boxes */
  TEST(70)
  csrwi fflags, 0
  li a1, 0x12345678deadbeef
  fmv.w.x fa0, a1
  fmv.x.w a0, fa0
  CHECK(a0, 0xffffffffdeadbeef)
  fmv.x.d a0, fa0
  CHECK(a0, 0xffffffffdeadbeef)
  li a1, 0x7f800001
  fmv.w.x fa0, a1
  fmv.x.w a0, fa0
  CHECK(a0, 0x7f800001)                       /* sNaN bits moved unchanged */
  CHECK_FLAGS(0)

  /* fclass.s */
  TEST_S_TO_X(80, fclass.s, 1 << 0, 0, NINF)
  TEST_S_TO_X(81, fclass.s, 1 << 1, 0, 0xbf800000)
  TEST_S_TO_X(82, fclass.s, 1 << 2, 0, 0x807fffff)
  TEST_S_TO_X(83, fclass.s, 1 << 3, 0, 0x80000000)
  TEST_S_TO_X(84, fclass.s, 1 << 4, 0, 0)
  TEST_S_TO_X(85, fclass.s, 1 << 5, 0, 0x00000001)
  TEST_S_TO_X(86, fclass.s, 1 << 6, 0, ONE)
  TEST_S_TO_X(87, fclass.s, 1 << 7, 0, INF)
  TEST_S_TO_X(88, fclass.s, 1 << 8, 0, SNAN)
  TEST_S_TO_X(89, fclass.s, 1 << 9, 0, QNAN)
  TEST_S_TO_X(90, fclass.s, 1 << 9, 0, 0xffffffff)

  /* compares */
  TEST_SS_TO_X(100, feq.s, 1, 0, ONE, ONE)
  TEST_SS_TO_X(101, feq.s, 1, 0, 0x80000000, 0)              /* -0 == +0 */
  TEST_SS_TO_X(102, feq.s, 0, 0, QNAN, QNAN)                  /* quiet NaN: no flag */
  TEST_SS_TO_X(103, feq.s, 0, NV, SNAN, ONE)                  /* signaling NaN: invalid */
  TEST_SS_TO_X(104, flt.s, 1, 0, 0xbf800000, ONE)
  TEST_SS_TO_X(105, flt.s, 0, 0, 0x80000000, 0)
  TEST_SS_TO_X(106, flt.s, 0, NV, QNAN, ONE)                  /* flt/fle signal on any NaN */
  TEST_SS_TO_X(107, fle.s, 1, 0, 0x80000000, 0)
  TEST_SS_TO_X(108, fle.s, 0, NV, ONE, QNAN)
  TEST_SS_TO_X(109, fle.s, 1, 0, NINF, NINF)
  TEST_SS_TO_X(110, flt.s, 0, 0, INF, INF)

  /* flw / fsw */
  TEST(120)
  csrwi fflags, 0
  la a1, fdata
  flw fa0, 0(a1)
  fmv.x.d a0, fa0
  CHECK(a0, 0xffffffff7f800001)                /* boxed, sNaN preserved */
  fsw fa0, 8(a1)
  lwu a0, 8(a1)
  CHECK(a0, 0x7f800001)
  lwu a0, 12(a1)
  CHECK(a0, 0x55555555)                        /* fsw writes 4 bytes */
  flw fa1, -4+8(a1)
  fmv.x.w a0, fa1
  CHECK(a0, 0x3f800000)
  CHECK_FLAGS(0)
  VT_PASS

VT_DATA
fdata:
  .word 0x7f800001, 0x3f800000, 0xaaaaaaaa, 0x55555555
