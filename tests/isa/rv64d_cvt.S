/* RV64D conversions and moves: fcvt.s.d / fcvt.d.s (rounding, overflow, underflow, NaN),
   fcvt.{w,wu,l,lu}.d saturation and flags, fcvt.d.{w,wu,l,lu}, fmv.x.d / fmv.d.x,
   fclass.d, feq/flt/fle.d, fld/fsd. */
#include "vt.h"
#include "fp.h"
#define ONE  0x3ff0000000000000
#define QNAN 0x7ff8000000000000
#define SNAN 0x7ff0000000000001
#define INF  0x7ff0000000000000
#define NINF 0xfff0000000000000
#define MAXD 0x7fefffffffffffff
VT_CODE
  /* double -> single */
  TEST_D_TO_S(1, 0x3eaaaaab, NX, 0x3fd5555555555555)            /* 1/3 */
  TEST_D_TO_S_RM(2, rtz, 0x3eaaaaaa, NX, 0x3fd5555555555555)
  TEST_D_TO_S(3, 0x7f800000, OF | NX, MAXD)
  TEST_D_TO_S_RM(4, rtz, 0x7f7fffff, OF | NX, MAXD)
  TEST_D_TO_S(5, 0x7fc00000, NV, SNAN)
  TEST_D_TO_S(6, 0x7fc00000, 0, 0x7ff8000012345678)             /* qNaN: canonical, no flag */
  TEST_D_TO_S(7, 0, UF | NX, 0x3590000000000000)                /* 2^-166 -> 0 */
  TEST_D_TO_S(8, S(0x80000000), 0, 0x8000000000000000)
  TEST_D_TO_S(9, 0x3f800000, 0, ONE)
  TEST_D_TO_S(10, 0x00000001, UF | NX, 0x36a0000000000000 + 1)  /* just above 2^-149 */
  TEST_D_TO_S(11, S(0xff800000), 0, NINF)
  /* single -> double: exact */
  TEST_S_TO_D(20, 0x3ff0000000000000, 0, 0x3f800000)
  TEST_S_TO_D(21, 0x36a0000000000000, 0, 0x00000001)            /* smallest subnormal single */
  TEST_S_TO_D(22, QNAN, NV, 0x7f800001)
  TEST_S_TO_D(23, QNAN, 0, 0xffc00000)
  TEST_S_TO_D(24, NINF, 0, 0xff800000)
  TEST_S_TO_D(25, 0x47efffffe0000000, 0, 0x7f7fffff)
  /* double -> integer */
  TEST_D_TO_X(30, fcvt.w.d, 0x7fffffff, NV, 0x41e0000000000000)         /* 2^31 */
  TEST_D_TO_X(31, fcvt.w.d, 0xffffffff80000000, 0, 0xc1e0000000000000)  /* -2^31 */
  TEST_D_TO_X(32, fcvt.w.d, 0xffffffff80000000, NX, 0xc1e0000000100000) /* -2^31 - 0.5: ties even */
  TEST_D_TO_X(33, fcvt.w.d, 0xffffffff80000000, NV, 0xc1e0000000200000) /* -2^31 - 1 */
  TEST_D_TO_X(34, fcvt.w.d, 0x7fffffff, NV, QNAN)
  TEST_D_TO_X(35, fcvt.w.d, 0x7fffffff, NX, 0x41dfffffffc00001)        /* 2^31 - 1 + tiny, rne */
  TEST_D_TO_X(53, fcvt.w.d, 0x7fffffff, NV, 0x41dfffffffe00000)        /* 2^31 - 0.5 rounds to 2^31 */
  TEST_D_TO_X_RM(36, fcvt.w.d, rmm, 3, NX, 0x4004000000000000)          /* 2.5 -> 3 */
  TEST_D_TO_X(37, fcvt.wu.d, 0xffffffffffffffff, 0, 0x41efffffffe00000) /* 2^32-1, sign-extended */
  TEST_D_TO_X(38, fcvt.wu.d, 0xffffffffffffffff, NV, 0x41f0000000000000)
  TEST_D_TO_X(39, fcvt.wu.d, 0, NV, 0xbff0000000000000)
  TEST_D_TO_X_RM(40, fcvt.wu.d, rtz, 0, NX, 0xbfe0000000000000)         /* -0.5 rtz -> 0 */
  TEST_D_TO_X(41, fcvt.wu.d, 0xffffffffffffffff, NV, NINF + 0x8000000000000)  /* -NaN: max */
  TEST_D_TO_X(42, fcvt.l.d, 0x7fffffffffffffff, NV, 0x43e0000000000000)
  TEST_D_TO_X(43, fcvt.l.d, 0x8000000000000000, 0, 0xc3e0000000000000)
  TEST_D_TO_X(44, fcvt.l.d, 0x8000000000000000, NV, NINF)
  TEST_D_TO_X(45, fcvt.l.d, 0x7ffffffffffffc00, 0, 0x43dfffffffffffff)
  TEST_D_TO_X_RM(46, fcvt.l.d, rdn, -2, NX, 0xbff8000000000000)         /* -1.5 */
  TEST_D_TO_X_RM(47, fcvt.l.d, rup, -1, NX, 0xbff8000000000000)
  TEST_D_TO_X(48, fcvt.lu.d, 0xfffffffffffff800, 0, 0x43efffffffffffff)
  TEST_D_TO_X(49, fcvt.lu.d, 0xffffffffffffffff, NV, 0x43f0000000000000)
  TEST_D_TO_X(50, fcvt.lu.d, 0, NV, 0xc000000000000000)
  TEST_D_TO_X(51, fcvt.lu.d, 0xffffffffffffffff, NV, SNAN)
  TEST_D_TO_X(52, fcvt.lu.d, 0, NX, 0x3fd0000000000000)                 /* 0.25 */
  /* integer -> double */
  TEST_X_TO_D(60, fcvt.d.w, 0xbff0000000000000, 0, -1)
  TEST_X_TO_D(61, fcvt.d.w, 0xc1e0000000000000, 0, 0x80000000)          /* low 32 bits */
  TEST_X_TO_D(62, fcvt.d.wu, 0x41efffffffe00000, 0, 0xffffffff)
  TEST_X_TO_D(63, fcvt.d.wu, 0x41e0000000000000, 0, 0xffffffff80000000)
  TEST_X_TO_D(64, fcvt.d.l, 0x43e0000000000000, NX, 0x7fffffffffffffff)
  TEST_X_TO_D_RM(65, fcvt.d.l, rtz, 0x43dfffffffffffff, NX, 0x7fffffffffffffff)
  TEST_X_TO_D(66, fcvt.d.l, 0xc3e0000000000000, 0, 0x8000000000000000)
  TEST_X_TO_D(67, fcvt.d.lu, 0x43f0000000000000, NX, 0xffffffffffffffff)
  TEST_X_TO_D_RM(68, fcvt.d.lu, rdn, 0x43efffffffffffff, NX, 0xffffffffffffffff)
  TEST_X_TO_D(69, fcvt.d.lu, 0, 0, 0)
  /* fmv */
  TEST(70)
  csrwi fflags, 0
  li a1, 0x7ff0000000000001
  fmv.d.x fa0, a1
  fmv.x.d a0, fa0
  CHECK(a0, 0x7ff0000000000001)
  CHECK_FLAGS(0)
  /* fclass.d */
  TEST_D_TO_X(80, fclass.d, 1 << 0, 0, NINF)
  TEST_D_TO_X(81, fclass.d, 1 << 1, 0, 0xbff0000000000000)
  TEST_D_TO_X(82, fclass.d, 1 << 2, 0, 0x800fffffffffffff)
  TEST_D_TO_X(83, fclass.d, 1 << 3, 0, 0x8000000000000000)
  TEST_D_TO_X(84, fclass.d, 1 << 4, 0, 0)
  TEST_D_TO_X(85, fclass.d, 1 << 5, 0, 1)
  TEST_D_TO_X(86, fclass.d, 1 << 6, 0, ONE)
  TEST_D_TO_X(87, fclass.d, 1 << 7, 0, INF)
  TEST_D_TO_X(88, fclass.d, 1 << 8, 0, SNAN)
  TEST_D_TO_X(89, fclass.d, 1 << 9, 0, QNAN)
  /* compares */
  TEST_DD_TO_X(90, feq.d, 1, 0, 0x8000000000000000, 0)
  TEST_DD_TO_X(91, feq.d, 0, 0, QNAN, QNAN)
  TEST_DD_TO_X(92, feq.d, 0, NV, SNAN, ONE)
  TEST_DD_TO_X(93, flt.d, 1, 0, NINF, ONE)
  TEST_DD_TO_X(94, flt.d, 0, NV, ONE, QNAN)
  TEST_DD_TO_X(95, fle.d, 1, 0, ONE, ONE)
  TEST_DD_TO_X(96, fle.d, 0, NV, QNAN, QNAN)
  /* fld / fsd */
  TEST(100)
  csrwi fflags, 0
  la a1, ddata
  fld fa0, 0(a1)
  fsd fa0, 8(a1)
  ld a0, 8(a1)
  CHECK(a0, 0x7ff0000000000001)
  TEST(101)
  fld fa1, 16(a1)
  fmv.x.d a0, fa1
  CHECK(a0, 0x3ff0000000000000)
  TEST(102)
  CHECK_FLAGS(0)
  TEST(103)
  /* fsd of a boxed single stores the full 64 bits */
  li t0, 0x3f800000
  fmv.w.x fa2, t0
  fsd fa2, 8(a1)
  ld a0, 8(a1)
  CHECK(a0, 0xffffffff3f800000)
  VT_PASS

VT_DATA
ddata:
  .dword 0x7ff0000000000001, 0, 0x3ff0000000000000
