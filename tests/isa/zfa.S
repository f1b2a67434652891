/* Zfa (F and D forms): fli.s/fli.d constants, fminm/fmaxm (NaN in: canonical NaN out),
   fround/froundnx (integral value in the format, only nx raises Inexact; signed zeros,
   subnormals, large values), fcvtmod.w.d (toward zero, modulo 2^32, Invalid outside int32),
   fleq/fltq (quiet: Invalid for sNaN only). The assembler predates Zfa: .word encodings
   with register numbers (fa0 = 10, fa1 = 11, fa2 = 12, a0 = 10). */
#include "vt.h"
#define NV 0x10
#define NX 0x01
#define RNE 0
#define RTZ 1
#define RDN 2
#define RUP 3
#define RMM 4
#define OPFP(f7, rs2, rs1, f3, rd) .word ((f7) << 25) | ((rs2) << 20) | ((rs1) << 15) | ((f3) << 12) | ((rd) << 7) | 0x53
#define FLI_S(idx) OPFP(0x78, 1, idx, 0, 10)                  /* fa0 */
#define FLI_D(idx) OPFP(0x79, 1, idx, 0, 10)
#define FMINM_S OPFP(0x14, 12, 11, 2, 10)                     /* fa0 = op(fa1, fa2) */
#define FMAXM_S OPFP(0x14, 12, 11, 3, 10)
#define FMINM_D OPFP(0x15, 12, 11, 2, 10)
#define FMAXM_D OPFP(0x15, 12, 11, 3, 10)
#define FROUND_S(rm) OPFP(0x20, 4, 11, rm, 10)                 /* fa0 = round(fa1) */
#define FROUNDNX_S(rm) OPFP(0x20, 5, 11, rm, 10)
#define FROUND_D(rm) OPFP(0x21, 4, 11, rm, 10)
#define FROUNDNX_D(rm) OPFP(0x21, 5, 11, rm, 10)
#define FCVTMOD_W_D OPFP(0x61, 8, 11, 1, 10)                   /* a0 = fcvtmod(fa1) */
#define FLEQ_S OPFP(0x50, 12, 11, 4, 10)                       /* a0 = cmp(fa1, fa2) */
#define FLTQ_S OPFP(0x50, 12, 11, 5, 10)
#define FLEQ_D OPFP(0x51, 12, 11, 4, 10)
#define FLTQ_D OPFP(0x51, 12, 11, 5, 10)

#define CHECK_FA0(bits) fmv.x.d a0, fa0; CHECK(a0, bits)
#define CHECK_FLAGS(fl) csrr a1, fflags; CHECK(a1, fl); csrwi fflags, 0
#define S1(v) li t0, v; fmv.w.x fa1, t0
#define S2(v) li t0, v; fmv.w.x fa2, t0
#define D1(v) li t0, v; fmv.d.x fa1, t0
#define D2(v) li t0, v; fmv.d.x fa2, t0
#define BOXED(v) (0xffffffff00000000 | (v))

VT_CODE
  csrwi fflags, 0
  /* ---- fli ---- */
  TEST(1); FLI_S(0); CHECK_FA0(BOXED(0xbf800000))
  TEST(2); FLI_S(1); CHECK_FA0(BOXED(0x00800000))
  TEST(3); FLI_S(9); CHECK_FA0(BOXED(0x3ea00000))      /* 0.3125 */
  TEST(4); FLI_S(28); CHECK_FA0(BOXED(0x47000000))     /* 2^15 */
  TEST(5); FLI_S(30); CHECK_FA0(BOXED(0x7f800000))
  TEST(6); FLI_S(31); CHECK_FA0(BOXED(0x7fc00000))
  TEST(7); FLI_D(0); CHECK_FA0(0xbff0000000000000)
  TEST(8); FLI_D(1); CHECK_FA0(0x0010000000000000)
  TEST(9); FLI_D(2); CHECK_FA0(0x3ef0000000000000)     /* 2^-16 */
  TEST(10); FLI_D(11); CHECK_FA0(0x3fdc000000000000)   /* 0.4375 */
  TEST(11); FLI_D(29); CHECK_FA0(0x40f0000000000000)   /* 2^16 */
  TEST(12); FLI_D(31); CHECK_FA0(0x7ff8000000000000); CHECK_FLAGS(0)
  /* ---- fminm / fmaxm ---- */
  TEST(20); S1(0x3f800000); S2(0x7fc00000); FMINM_S; CHECK_FA0(BOXED(0x7fc00000)); CHECK_FLAGS(0)
  TEST(21); S1(0x7f800001); S2(0x3f800000); FMAXM_S; CHECK_FA0(BOXED(0x7fc00000)); CHECK_FLAGS(NV)
  TEST(22); S1(0x80000000); S2(0x00000000); FMINM_S; CHECK_FA0(BOXED(0x80000000))
  TEST(23); D1(0x8000000000000000); D2(0); FMAXM_D; CHECK_FA0(0)
  TEST(24); D1(0x3ff0000000000000); D2(0x4000000000000000); FMINM_D; CHECK_FA0(0x3ff0000000000000)
  TEST(25); D1(0x7ff0000000000001); D2(0x4000000000000000); FMINM_D; CHECK_FA0(0x7ff8000000000000)
  CHECK_FLAGS(NV)
  /* ---- fround / froundnx ---- */
  TEST(30); S1(0x40200000); FROUND_S(RNE); CHECK_FA0(BOXED(0x40000000)); CHECK_FLAGS(0)   /* 2.5 -> 2 */
  TEST(31); FROUNDNX_S(RNE); CHECK_FA0(BOXED(0x40000000)); CHECK_FLAGS(NX)
  TEST(32); S1(0xc0200000); FROUND_S(RDN); CHECK_FA0(BOXED(0xc0400000))                   /* -2.5 -> -3 */
  FROUND_S(RUP); CHECK_FA0(BOXED(0xc0000000))
  FROUND_S(RTZ); CHECK_FA0(BOXED(0xc0000000))
  FROUND_S(RMM); CHECK_FA0(BOXED(0xc0400000)); CHECK_FLAGS(0)
  TEST(33); S1(0xbe99999a); FROUND_S(RNE); CHECK_FA0(BOXED(0x80000000))                   /* -0.3 -> -0 */
  TEST(34); S1(0x3f333333); FROUNDNX_S(RTZ); CHECK_FA0(BOXED(0)); CHECK_FLAGS(NX)          /* 0.7 -> +0 */
  TEST(35); S1(0x501502f9); FROUNDNX_S(RNE); CHECK_FA0(BOXED(0x501502f9)); CHECK_FLAGS(0)  /* 1e10: integral */
  TEST(36); S1(0x00000001); FROUNDNX_S(RUP); CHECK_FA0(BOXED(0x3f800000)); CHECK_FLAGS(NX) /* subnormal up */
  TEST(37); S1(0xff800000); FROUNDNX_S(RNE); CHECK_FA0(BOXED(0xff800000)); CHECK_FLAGS(0)
  TEST(38); S1(0x7f800001); FROUND_S(RNE); CHECK_FA0(BOXED(0x7fc00000)); CHECK_FLAGS(NV)
  TEST(39); D1(0x3ff8000000000000); FROUND_D(RNE); CHECK_FA0(0x4000000000000000)          /* 1.5 -> 2 */
  D1(0x3fe0000000000000); FROUNDNX_D(RNE); CHECK_FA0(0); CHECK_FLAGS(NX)                   /* 0.5 -> 0 */
  TEST(40); D1(0xbff8000000000000); FROUND_D(RUP); CHECK_FA0(0xbff0000000000000); CHECK_FLAGS(0)
  TEST(41); csrwi frm, RDN; D1(0x3ff8000000000000); FROUND_D(7); CHECK_FA0(0x3ff0000000000000)  /* dynamic */
  csrwi frm, 0
  TEST(42); CLEAR_TRAPS; FROUND_D(5); CHECK_TRAP(CAUSE_ILLEGAL)                          /* reserved rm */
  /* ---- fcvtmod.w.d ---- */
  TEST(50); D1(0x400d99999999999a); FCVTMOD_W_D; CHECK(a0, 3); CHECK_FLAGS(NX)            /* 3.7 */
  TEST(51); D1(0xc00d99999999999a); FCVTMOD_W_D; CHECK(a0, -3); CHECK_FLAGS(NX)
  TEST(52); D1(0x41f0000000500000); FCVTMOD_W_D; CHECK(a0, 5); CHECK_FLAGS(NV)           /* 2^32 + 5 */
  TEST(53); D1(0x41e0000000000000); FCVTMOD_W_D; CHECK(a0, 0xffffffff80000000); CHECK_FLAGS(NV)  /* 2^31 */
  TEST(54); D1(0xc1e0000000000000); FCVTMOD_W_D; CHECK(a0, 0xffffffff80000000); CHECK_FLAGS(0)   /* -2^31 */
  TEST(55); D1(0x4415af1d78b58c40); FCVTMOD_W_D; CHECK(a0, 0x63100000); CHECK_FLAGS(NV)   /* 1e20 */
  TEST(56); D1(0x7ff8000000000000); FCVTMOD_W_D; CHECK(a0, 0); CHECK_FLAGS(NV)
  TEST(57); D1(0xfff0000000000000); FCVTMOD_W_D; CHECK(a0, 0); CHECK_FLAGS(NV)
  TEST(58); D1(0x8000000000000000); FCVTMOD_W_D; CHECK(a0, 0); CHECK_FLAGS(0)
  TEST(59); D1(0x3fe0000000000000); FCVTMOD_W_D; CHECK(a0, 0); CHECK_FLAGS(NX)
  /* ---- fleq / fltq ---- */
  TEST(60); S1(0x7fc00000); S2(0x3f800000); FLTQ_S; CHECK(a0, 0); CHECK_FLAGS(0)          /* quiet */
  TEST(61); S1(0x3f800000); S2(0x3f800000); FLEQ_S; CHECK(a0, 1); FLTQ_S; CHECK(a0, 0)
  TEST(62); S1(0x3f800000); S2(0x40000000); FLTQ_S; CHECK(a0, 1)
  TEST(63); D1(0x8000000000000000); D2(0); FLEQ_D; CHECK(a0, 1); FLTQ_D; CHECK(a0, 0); CHECK_FLAGS(0)
  TEST(64); S1(0x7f800001); S2(0x3f800000); FLEQ_S; CHECK(a0, 0); CHECK_FLAGS(NV)
  /* ---- a single not NaN-boxed reads as NaN ---- */
  TEST(65); li t0, 0x3f800000; fmv.d.x fa1, t0; S2(0x3f800000); FLEQ_S; CHECK(a0, 0); CHECK_FLAGS(0)
VT_PASS
VT_DATA
