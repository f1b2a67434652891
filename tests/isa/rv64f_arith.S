/* RV64F arithmetic: fadd/fsub/fmul/fdiv/fsqrt/fmin/fmax/fmadd/fmsub/fnmadd/fnmsub,
   fsgnj/fsgnjn/fsgnjx, with fflags (NV, DZ, OF, UF, NX), canonical NaN results,
   signaling NaN inputs, fmin/fmax with NaNs and signed zeros, fused multiply-add with a
   single rounding, every rounding mode (static and dynamic through frm). */
#include "vt.h"

/* Binary op on single bit patterns: fd = fa0, operands from integer bit patterns.
   Checks the result bits and the accrued flags (fflags cleared first). */
#define TEST_F2(n, inst, res, flags, a, b) \
  TEST(n); li t0, a; fmv.w.x fa1, t0; li t0, b; fmv.w.x fa2, t0; csrwi fflags, 0; \
  inst fa0, fa1, fa2; fmv.x.w a0, fa0; CHECK(a0, res); csrr a1, fflags; CHECK(a1, flags)
#define TEST_F2_RM(n, inst, rm, res, flags, a, b) \
  TEST(n); li t0, a; fmv.w.x fa1, t0; li t0, b; fmv.w.x fa2, t0; csrwi fflags, 0; \
  inst fa0, fa1, fa2, rm; fmv.x.w a0, fa0; CHECK(a0, res); csrr a1, fflags; CHECK(a1, flags)
#define TEST_F1(n, inst, res, flags, a) \
  TEST(n); li t0, a; fmv.w.x fa1, t0; csrwi fflags, 0; \
  inst fa0, fa1; fmv.x.w a0, fa0; CHECK(a0, res); csrr a1, fflags; CHECK(a1, flags)
#define TEST_F3(n, inst, res, flags, a, b, c) \
  TEST(n); li t0, a; fmv.w.x fa1, t0; li t0, b; fmv.w.x fa2, t0; li t0, c; fmv.w.x fa3, t0; \
  csrwi fflags, 0; inst fa0, fa1, fa2, fa3; fmv.x.w a0, fa0; CHECK(a0, res); csrr a1, fflags; CHECK(a1, flags)

/* results are sign-extended by fmv.x.w */
#define S(x) ((x) | ((-((x) >> 31)) << 32))
#define NV 0x10
#define DZ 0x08
#define OF 0x04
#define UF 0x02
#define NX 0x01
#define QNAN 0x7fc00000
#define SNAN 0x7f800001
#define INF  0x7f800000
#define NINF 0xff800000
#define ONE  0x3f800000
#define TWO  0x40000000
#define MAXF 0x7f7fffff
#define MINN 0x00800000   /* smallest normal */

VT_CODE
  TEST_F2(1, fadd.s, 0x40400000, 0, ONE, TWO)                   /* 1 + 2 = 3 */
  TEST_F2(2, fadd.s, S(0xc0400000), 0, 0xbf800000, 0xc0000000)   /* -1 + -2 */
  TEST_F2(3, fadd.s, 0x3f800000, NX, ONE, 0x33800000)            /* 1 + 2^-24: tie to even -> 1, inexact */
  TEST_F2(4, fadd.s, QNAN, NV, INF, NINF)                       /* inf - inf: invalid, canonical NaN */
  TEST_F2(5, fadd.s, QNAN, NV, SNAN, ONE)                       /* sNaN input: invalid */
  TEST_F2(6, fadd.s, QNAN, 0, 0x7fc12345, ONE)                  /* qNaN input: canonical NaN, no flag */
  TEST_F2(7, fadd.s, INF, OF | NX, MAXF, MAXF)                  /* overflow */
  TEST_F2(8, fadd.s, 0, 0, 0x80000000, 0)                       /* -0 + +0 = +0 (RNE) */
  TEST_F2_RM(9, fadd.s, rdn, S(0x80000000), 0, 0x80000000, 0)   /* -0 + +0 = -0 (RDN) */
  TEST_F2(10, fsub.s, 0, 0, ONE, ONE)
  TEST_F2_RM(11, fsub.s, rdn, S(0x80000000), 0, ONE, ONE)
  TEST_F2(12, fsub.s, QNAN, NV, INF, INF)
  TEST_F2(13, fmul.s, 0x40c00000, 0, TWO, 0x40400000)           /* 2 * 3 = 6 */
  TEST_F2(14, fmul.s, QNAN, NV, INF, 0)                         /* inf * 0 */
  TEST_F2(15, fmul.s, 0, UF | NX, MINN, 0x33800000)             /* 2^-126 * 2^-24: underflow to 0 (RNE tie -> even) */
  TEST_F2(16, fmul.s, S(0x80000000), 0, 0x80000000, ONE)
  TEST_F2(17, fmul.s, INF, OF | NX, MAXF, TWO)
  TEST_F2_RM(18, fmul.s, rtz, MAXF, OF | NX, MAXF, TWO)         /* RTZ overflow -> max finite */
  TEST_F2_RM(19, fmul.s, rdn, MAXF, OF | NX, MAXF, TWO)
  TEST_F2_RM(20, fmul.s, rup, INF, OF | NX, MAXF, TWO)
  TEST_F2_RM(21, fmul.s, rmm, INF, OF | NX, MAXF, TWO)
  TEST_F2(22, fdiv.s, 0x3f000000, 0, ONE, TWO)
  TEST_F2(23, fdiv.s, INF, DZ, ONE, 0)                          /* x / 0 */
  TEST_F2(24, fdiv.s, S(NINF), DZ, 0xbf800000, 0)
  TEST_F2(25, fdiv.s, QNAN, NV, 0, 0)                           /* 0 / 0 */
  TEST_F2(26, fdiv.s, QNAN, NV, INF, INF)
  TEST_F2(27, fdiv.s, 0x3eaaaaab, NX, ONE, 0x40400000)          /* 1/3 RNE */
  TEST_F2_RM(28, fdiv.s, rtz, 0x3eaaaaaa, NX, ONE, 0x40400000)
  TEST_F2_RM(29, fdiv.s, rdn, 0x3eaaaaaa, NX, ONE, 0x40400000)
  TEST_F2_RM(30, fdiv.s, rup, 0x3eaaaaab, NX, ONE, 0x40400000)
  TEST_F2_RM(31, fdiv.s, rmm, 0x3eaaaaab, NX, ONE, 0x40400000)
  TEST_F2_RM(32, fdiv.s, rdn, S(0xbeaaaaab), NX, 0xbf800000, 0x40400000)
  TEST_F2_RM(33, fdiv.s, rup, S(0xbeaaaaaa), NX, 0xbf800000, 0x40400000)
  TEST_F1(34, fsqrt.s, 0x40000000, 0, 0x40800000)               /* sqrt 4 = 2 */
  TEST_F1(35, fsqrt.s, QNAN, NV, 0xbf800000)                    /* sqrt -1 */
  TEST_F1(36, fsqrt.s, S(0x80000000), 0, 0x80000000)            /* sqrt -0 = -0 */
  TEST_F1(37, fsqrt.s, 0x3fb504f3, NX, TWO)
  TEST_F1(38, fsqrt.s, INF, 0, INF)

  /* dynamic rounding through frm */
  TEST(40)
  li t0, 1                    /* RTZ */
  csrw frm, t0
  li t0, ONE
  fmv.w.x fa1, t0
  li t0, 0x40400000
  fmv.w.x fa2, t0
  fdiv.s fa0, fa1, fa2        /* dyn */
  fmv.x.w a0, fa0
  CHECK(a0, 0x3eaaaaaa)
  li t0, 3                    /* RUP */
  csrw frm, t0
  fdiv.s fa0, fa1, fa2, dyn
  fmv.x.w a0, fa0
  CHECK(a0, 0x3eaaaaab)
  fdiv.s fa0, fa1, fa2, rtz   /* static beats frm */
  fmv.x.w a0, fa0
  CHECK(a0, 0x3eaaaaaa)
  csrwi frm, 0
  /* invalid frm (5, 6, 7) with a dynamic rounding mode: illegal instruction */
  TEST(41)
  CLEAR_TRAPS
  li t0, 5
  csrw frm, t0
  fdiv.s fa0, fa1, fa2
  CHECK_TRAP(CAUSE_ILLEGAL)
  li t0, 7
  csrw frm, t0
  fadd.s fa0, fa1, fa2
  CHECK_TRAP(CAUSE_ILLEGAL)
  fadd.s fa0, fa1, fa2, rne   /* static modes still work */
  CHECK_NO_TRAP
  csrwi frm, 0
  /* reserved static rounding modes 5 and 6 are illegal */
  TEST(42)
1:
  .word 0x00c58553 | (5 << 12) /* fadd.s fa0, fa1, fa2 with rm = 5 */
  CHECK_TRAP(CAUSE_ILLEGAL)
  la a5, 1b
  lwu a5, 0(a5)
  CHECK_REG(s3, a5)
  .word 0x00c58553 | (6 << 12)
  CHECK_TRAP(CAUSE_ILLEGAL)

  /* min / max */
  TEST_F2(50, fmin.s, ONE, 0, ONE, TWO)
  TEST_F2(51, fmax.s, TWO, 0, ONE, TWO)
  TEST_F2(52, fmin.s, S(0x80000000), 0, 0, 0x80000000)          /* -0 < +0 */
  TEST_F2(53, fmax.s, 0, 0, 0x80000000, 0)
  TEST_F2(54, fmin.s, ONE, 0, QNAN, ONE)                        /* one qNaN: the other operand */
  TEST_F2(55, fmax.s, ONE, 0, ONE, 0x7fc00001)
  TEST_F2(56, fmin.s, ONE, NV, SNAN, ONE)                       /* sNaN: invalid, other operand */
  TEST_F2(57, fmax.s, ONE, NV, ONE, SNAN)
  TEST_F2(58, fmin.s, QNAN, 0, 0x7fc00001, 0xffc00002)          /* both NaN: canonical */
  TEST_F2(59, fmax.s, QNAN, NV, SNAN, SNAN)
  TEST_F2(60, fmin.s, S(NINF), 0, NINF, INF)

  /* sign injection: no NaN canonicalization, no flags */
  TEST_F2(70, fsgnj.s, S(0xbf800000), 0, ONE, 0x80000000)
  TEST_F2(71, fsgnj.s, 0x7f800001, 0, 0xff800001, 0)            /* sNaN payload kept */
  TEST_F2(72, fsgnjn.s, 0x3f800000, 0, ONE, 0x80000000)
  TEST_F2(73, fsgnjn.s, S(0xbf800000), 0, ONE, ONE)
  TEST_F2(74, fsgnjx.s, S(0xbf800000), 0, 0xbf800000, ONE)
  TEST_F2(75, fsgnjx.s, 0x3f800000, 0, 0xbf800000, 0xbf800000)
  TEST(76)
  li t0, 0x3f800000           /* fneg / fabs / fmv pseudo-ops */
  fmv.w.x fa1, t0
  fneg.s fa0, fa1
  fmv.x.w a0, fa0
  CHECK(a0, S(0xbf800000))
  fabs.s fa2, fa0
  fmv.x.w a0, fa2
  CHECK(a0, 0x3f800000)

  /* fused multiply-add: one rounding */
  TEST_F3(80, fmadd.s, 0x40e00000, 0, TWO, 0x40400000, ONE)     /* 2*3+1 = 7 */
  TEST_F3(81, fmsub.s, 0x40a00000, 0, TWO, 0x40400000, ONE)     /* 2*3-1 = 5 */
  TEST_F3(82, fnmadd.s, S(0xc0e00000), 0, TWO, 0x40400000, ONE) /* -(2*3)-1 = -7 */
  TEST_F3(83, fnmsub.s, S(0xc0a00000), 0, TWO, 0x40400000, ONE) /* -(2*3)+1 = -5 */
  /* (1+2^-23)*(1-2^-23) - 1 = -2^-46 exactly with one rounding (two roundings would give 0) */
  TEST_F3(84, fmsub.s, S(0xa8800000), 0, 0x3f800001, 0x3f7ffffe, ONE)
  TEST_F3(85, fmadd.s, QNAN, NV, INF, 0, ONE)                   /* inf * 0 + x: invalid */
  TEST_F3(86, fmadd.s, QNAN, NV, INF, 0, QNAN)                  /* inf * 0 + qNaN: invalid too */
  TEST_F3(87, fmadd.s, QNAN, NV, INF, ONE, NINF)                /* inf - inf */
  TEST_F3(88, fmadd.s, QNAN, NV, ONE, ONE, SNAN)
  TEST_F3(89, fmadd.s, 0, 0, ONE, 0, 0)                         /* 1*0 + 0 = +0 */
  TEST_F3(90, fmadd.s, S(0x80000000), 0, 0x80000000, ONE, 0x80000000)
  TEST_F3(91, fnmadd.s, S(0x80000000), 0, ONE, 0, 0)            /* -(1*0 + 0) = -0 */
  TEST_F3(92, fmadd.s, INF, OF | NX, MAXF, TWO, ONE)
  VT_PASS
