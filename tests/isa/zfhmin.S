/* Zfhmin: flh/fsh, fmv.x.h/fmv.h.x, conversions between half and single/double with
   NaN boxing (results boxed with 48 one bits, inputs not boxed read as the canonical NaN),
   signaling NaNs, rounding (overflow, subnormals, ties), flags and invalid rm. */
#include "vt.h"
  .option arch, +zfhmin
#define NV 0x10
#define OF 0x04
#define UF 0x02
#define NX 0x01

/* half -> single: fa0 holds the boxed half `h`; a0 = result bits, a1 = flags */
#define CVT_S_H(n, hv, sv, fl) \
  TEST(n); li t0, hv; fmv.h.x fa0, t0; csrwi fflags, 0; fcvt.s.h fa1, fa0; \
  fmv.x.w a0, fa1; csrr a1, fflags; CHECK(a0, ((sv) ^ 0x80000000) - 0x80000000); CHECK(a1, fl)
#define CVT_H_S(n, sv, rm, hv, fl) \
  TEST(n); li t0, sv; fmv.w.x fa0, t0; csrwi fflags, 0; fcvt.h.s fa1, fa0, rm; \
  fmv.x.d a0, fa1; csrr a1, fflags; CHECK(a0, 0xffffffffffff0000 | (hv)); CHECK(a1, fl)
#define CVT_D_H(n, hv, dv, fl) \
  TEST(n); li t0, hv; fmv.h.x fa0, t0; csrwi fflags, 0; fcvt.d.h fa1, fa0; \
  fmv.x.d a0, fa1; csrr a1, fflags; CHECK(a0, dv); CHECK(a1, fl)
#define CVT_H_D(n, dv, rm, hv, fl) \
  TEST(n); li t0, dv; fmv.d.x fa0, t0; csrwi fflags, 0; fcvt.h.d fa1, fa0, rm; \
  fmv.x.d a0, fa1; csrr a1, fflags; CHECK(a0, 0xffffffffffff0000 | (hv)); CHECK(a1, fl)

VT_CODE
  /* moves: fmv.h.x boxes, fmv.x.h sign-extends the low 16 bits (no unboxing) */
  TEST(1); li t0, 0x12348000; fmv.h.x fa0, t0; fmv.x.d a0, fa0; CHECK(a0, 0xffffffffffff8000)
  fmv.x.h a0, fa0; CHECK(a0, 0xffffffffffff8000)
  TEST(2); li t0, 0x123456789abc7fff; fmv.d.x fa0, t0; fmv.x.h a0, fa0; CHECK(a0, 0x7fff)
  /* loads box, stores write the raw low 16 bits */
  TEST(3); la a1, h_data; flh fa0, 0(a1); fmv.x.d a0, fa0; CHECK(a0, 0xffffffffffffabcd)
  TEST(4); li t0, 0x1111222233334444; fmv.d.x fa0, t0; fsh fa0, 2(a1); lhu a0, 2(a1); CHECK(a0, 0x4444)
  lhu a0, 0(a1); CHECK(a0, 0xabcd)
  /* half -> single (exact) */
  CVT_S_H(10, 0x3c00, 0x3f800000, 0)
  CVT_S_H(11, 0xc100, 0xc0200000, 0)
  CVT_S_H(12, 0x7bff, 0x477fe000, 0)
  CVT_S_H(13, 0x0001, 0x33800000, 0)                /* smallest subnormal: 2^-24 */
  CVT_S_H(14, 0x7c00, 0x7f800000, 0)
  CVT_S_H(15, 0x8000, 0x80000000, 0)
  CVT_S_H(16, 0x7d00, 0x7fc00000, NV)               /* signaling NaN */
  CVT_S_H(17, 0x7e01, 0x7fc00000, 0)                /* quiet NaN: canonical, no flag */
  /* a half that is not NaN-boxed reads as the canonical NaN */
  TEST(18); li t0, 0x3c00; fmv.d.x fa0, t0; csrwi fflags, 0; fcvt.s.h fa1, fa0; fmv.x.w a0, fa1
  csrr a1, fflags; CHECK(a0, 0x7fc00000); CHECK(a1, 0)
  /* single -> half (rounds) */
  CVT_H_S(20, 0x3f800000, rne, 0x3c00, 0)
  CVT_H_S(21, 0x477ff000, rne, 0x7c00, OF | NX)     /* 65520 overflows to inf */
  CVT_H_S(22, 0x477ff000, rtz, 0x7bff, NX)          /* toward zero: 65504, no overflow (IEEE) */
  CVT_H_S(23, 0x477fe800, rne, 0x7bff, NX)          /* 65512 rounds down to 65504 */
  CVT_H_S(24, 0x33000000, rne, 0x0000, UF | NX)     /* 2^-25: a tie, to even (zero) */
  CVT_H_S(25, 0x33400000, rne, 0x0001, UF | NX)     /* 1.5 * 2^-25 */
  CVT_H_S(26, 0x33000000, rup, 0x0001, UF | NX)
  CVT_H_S(27, 0x3eaaaaab, rne, 0x3555, NX)          /* 1/3 */
  CVT_H_S(28, 0xff800000, rne, 0xfc00, 0)           /* -inf */
  CVT_H_S(29, 0x7f800001, rne, 0x7e00, NV)          /* sNaN: canonical half NaN */
  /* half <-> double */
  CVT_D_H(30, 0x3c00, 0x3ff0000000000000, 0)
  CVT_D_H(31, 0x8001, 0xbe70000000000000, 0)        /* -2^-24 */
  CVT_D_H(32, 0xfc00, 0xfff0000000000000, 0)
  CVT_H_D(33, 0x3ff0000000000000, rne, 0x3c00, 0)
  CVT_H_D(34, 0x8000000000000000, rne, 0x8000, 0)
  CVT_H_D(35, 0x40effe0000000000, rne, 0x7c00, OF | NX)   /* 65520: the tie rounds to even, infinity */
  CVT_H_D(36, 0x3fd5555555555555, rdn, 0x3555, NX)
  /* dynamic rounding mode from frm */
  TEST(37); csrwi frm, 1; li t0, 0x477ff000; fmv.w.x fa0, t0; fcvt.h.s fa1, fa0; fmv.x.d a0, fa1
  CHECK(a0, 0xffffffffffff7bff); csrwi frm, 0
  /* reserved rm: illegal */
  TEST(38); CLEAR_TRAPS; .insn r 0x53, 5, 0x22, fa1, fa0, f0; CHECK_TRAP(CAUSE_ILLEGAL)
  /* FS = Off: illegal */
  TEST(39); li t0, MSTATUS_FS; csrc mstatus, t0; flh fa0, 0(a1); CHECK_TRAP(CAUSE_ILLEGAL)
  fcvt.s.h fa0, fa1; CHECK_TRAP(CAUSE_ILLEGAL)
  li t0, MSTATUS_FS_INITIAL; csrs mstatus, t0
VT_PASS
VT_DATA
h_data: .hword 0xabcd, 0, 0, 0
