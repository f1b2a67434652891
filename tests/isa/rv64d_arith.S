/* RV64D arithmetic: fadd/fsub/fmul/fdiv/fsqrt/fmin/fmax/fsgnj*.d and the four fused
   multiply-adds, with flags, canonical NaN (0x7ff8000000000000), signaling NaNs, signed
   zeros, overflow/underflow in every rounding mode, single rounding of FMA. */
#include "vt.h"
#include "fp.h"
#define ONE  0x3ff0000000000000
#define MONE 0xbff0000000000000
#define TWO  0x4000000000000000
#define THREE 0x4008000000000000
#define QNAN 0x7ff8000000000000
#define SNAN 0x7ff0000000000001
#define INF  0x7ff0000000000000
#define NINF 0xfff0000000000000
#define MAXD 0x7fefffffffffffff
#define MIND 0x0010000000000000
#define NZERO 0x8000000000000000
VT_CODE
  TEST_D2(1, fadd.d, THREE, 0, ONE, TWO)
  TEST_D2(2, fadd.d, ONE, NX, ONE, 0x3ca0000000000000)          /* 1 + 2^-53: tie -> 1 */
  TEST_D2_RM(3, fadd.d, rup, 0x3ff0000000000001, NX, ONE, 0x3ca0000000000000)
  TEST_D2(4, fadd.d, QNAN, NV, INF, NINF)
  TEST_D2(5, fadd.d, QNAN, NV, SNAN, ONE)
  TEST_D2(6, fadd.d, QNAN, 0, 0x7ff8000000012345, ONE)
  TEST_D2(7, fadd.d, INF, OF | NX, MAXD, MAXD)
  TEST_D2_RM(8, fadd.d, rtz, MAXD, OF | NX, MAXD, MAXD)
  TEST_D2(9, fadd.d, 0, 0, NZERO, 0)
  TEST_D2_RM(10, fadd.d, rdn, NZERO, 0, NZERO, 0)
  TEST_D2(11, fsub.d, 0, 0, TWO, TWO)
  TEST_D2_RM(12, fsub.d, rdn, NZERO, 0, TWO, TWO)
  TEST_D2(13, fsub.d, MONE, 0, ONE, TWO)
  TEST_D2(14, fmul.d, 0x4018000000000000, 0, TWO, THREE)        /* 6 */
  TEST_D2(15, fmul.d, QNAN, NV, NINF, 0)
  TEST_D2(16, fmul.d, 0, UF | NX, MIND, 0x3ca0000000000000)     /* 2^-1075 -> 0 (tie, even) */
  TEST_D2_RM(17, fmul.d, rup, 1, UF | NX, MIND, 0x3ca0000000000000)
  TEST_D2(18, fmul.d, NINF, OF | NX, MAXD, 0xc000000000000000)
  TEST_D2_RM(19, fmul.d, rup, 0xffefffffffffffff, OF | NX, MAXD, 0xc000000000000000)
  TEST_D2_RM(20, fmul.d, rmm, NINF, OF | NX, MAXD, 0xc000000000000000)
  TEST_D2(21, fdiv.d, 0x3fd5555555555555, NX, ONE, THREE)
  TEST_D2_RM(22, fdiv.d, rtz, 0x3fd5555555555555, NX, ONE, THREE)
  TEST_D2_RM(23, fdiv.d, rup, 0x3fd5555555555556, NX, ONE, THREE)
  TEST_D2_RM(24, fdiv.d, rmm, 0x3fd5555555555555, NX, ONE, THREE)
  TEST_D2_RM(25, fdiv.d, rdn, 0xbfd5555555555556, NX, MONE, THREE)
  TEST_D2_RM(26, fdiv.d, rup, 0xbfd5555555555555, NX, MONE, THREE)
  TEST_D2(27, fdiv.d, INF, DZ, ONE, 0)
  TEST_D2(28, fdiv.d, NINF, DZ, ONE, NZERO)
  TEST_D2(29, fdiv.d, QNAN, NV, 0, 0)
  TEST_D2(30, fdiv.d, 0, 0, 0, ONE)
  TEST_D1(31, fsqrt.d, 0x3ff6a09e667f3bcd, NX, TWO)
  TEST_D1(32, fsqrt.d, 0x4008000000000000, 0, 0x4022000000000000)   /* sqrt 9 */
  TEST_D1(33, fsqrt.d, QNAN, NV, MONE)
  TEST_D1(34, fsqrt.d, NZERO, 0, NZERO)
  TEST_D1(35, fsqrt.d, QNAN, NV, SNAN)
  TEST_D1_RM(36, fsqrt.d, rdn, 0x3ff6a09e667f3bcc, NX, TWO)
  /* dynamic rounding */
  TEST(37)
  li t0, 2                      /* RDN */
  csrw frm, t0
  LOADD(fa1, MONE)
  LOADD(fa2, THREE)
  fdiv.d fa0, fa1, fa2
  fmv.x.d a0, fa0
  CHECK(a0, 0xbfd5555555555556)
  csrwi frm, 0

  /* min / max */
  TEST_D2(40, fmin.d, MONE, 0, ONE, MONE)
  TEST_D2(41, fmax.d, ONE, 0, ONE, MONE)
  TEST_D2(42, fmin.d, NZERO, 0, 0, NZERO)
  TEST_D2(43, fmax.d, 0, 0, NZERO, 0)
  TEST_D2(44, fmin.d, ONE, 0, QNAN, ONE)
  TEST_D2(45, fmax.d, ONE, NV, SNAN, ONE)
  TEST_D2(46, fmin.d, QNAN, NV, SNAN, QNAN)
  TEST_D2(47, fmax.d, QNAN, 0, 0xfff8000000000001, 0x7ff8000000000002)
  /* sign injection */
  TEST_D2(50, fsgnj.d, MONE, 0, ONE, NZERO)
  TEST_D2(51, fsgnjn.d, MONE, 0, ONE, 0)
  TEST_D2(52, fsgnjx.d, ONE, 0, MONE, MONE)
  TEST_D2(53, fsgnj.d, 0x7ff0000000000001, 0, 0xfff0000000000001, 0)   /* payload kept */
  /* FMA */
  TEST_D3(60, fmadd.d, 0x401c000000000000, 0, TWO, THREE, ONE)  /* 7 */
  TEST_D3(61, fmsub.d, 0x4014000000000000, 0, TWO, THREE, ONE)  /* 5 */
  TEST_D3(62, fnmadd.d, 0xc01c000000000000, 0, TWO, THREE, ONE)
  TEST_D3(63, fnmsub.d, 0xc014000000000000, 0, TWO, THREE, ONE)
  TEST_D3(64, fmsub.d, 0xb970000000000000, 0, 0x3ff0000000000001, 0x3feffffffffffffe, ONE) /* -2^-104 */
  TEST_D3(65, fmadd.d, QNAN, NV, INF, 0, ONE)
  TEST_D3(66, fmadd.d, QNAN, NV, 0, INF, QNAN)
  TEST_D3(67, fmadd.d, QNAN, NV, INF, ONE, NINF)
  TEST_D3(68, fmadd.d, QNAN, 0, QNAN, ONE, ONE)
  TEST_D3(69, fnmsub.d, 0, 0, ONE, 0, 0)                        /* -(1*0) + 0 = +0 */
  TEST_D3(70, fnmadd.d, NZERO, 0, ONE, 0, 0)
  TEST_D3(71, fmadd.d, ONE, NX, ONE, ONE, 0xbc90000000000000)   /* 1 - 2^-54: tie -> 1 */
  TEST(72)
  LOADD(fa1, ONE)
  LOADD(fa2, ONE)
  LOADD(fa3, 0xbc90000000000000)
  csrwi fflags, 0
  fmadd.d fa0, fa1, fa2, fa3, rdn
  fmv.x.d a0, fa0
  CHECK(a0, 0x3fefffffffffffff)
  VT_PASS
