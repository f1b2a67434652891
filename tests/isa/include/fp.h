/* fp.h - helpers for the F/D tests (operands and results as integer bit patterns). */
#ifndef VT_FP_H
#define VT_FP_H

#define NV 0x10
#define DZ 0x08
#define OF 0x04
#define UF 0x02
#define NX 0x01

/* a 32-bit pattern as fmv.x.w returns it (sign-extended) */
#define S(x) ((x) | ((-((x) >> 31)) << 32))

/* ---- single ---- */
#define LOADS(freg, bits) li t0, bits; fmv.w.x freg, t0
#define CHECK_FLAGS(flags) csrr t4, fflags; CHECK(t4, flags)
/* fd <- op(fs1, fs2) */
#define TEST_S2(n, inst, res, flags, a, b) \
  TEST(n); LOADS(fa1, a); LOADS(fa2, b); csrwi fflags, 0; \
  inst fa0, fa1, fa2; fmv.x.w a0, fa0; CHECK(a0, res); CHECK_FLAGS(flags)
/* integer rd <- op(fs1[, fs2]) */
#define TEST_S_TO_X(n, inst, res, flags, a) \
  TEST(n); LOADS(fa1, a); csrwi fflags, 0; inst a0, fa1; CHECK(a0, res); CHECK_FLAGS(flags)
#define TEST_S_TO_X_RM(n, inst, rm, res, flags, a) \
  TEST(n); LOADS(fa1, a); csrwi fflags, 0; inst a0, fa1, rm; CHECK(a0, res); CHECK_FLAGS(flags)
#define TEST_SS_TO_X(n, inst, res, flags, a, b) \
  TEST(n); LOADS(fa1, a); LOADS(fa2, b); csrwi fflags, 0; inst a0, fa1, fa2; CHECK(a0, res); CHECK_FLAGS(flags)
/* fd <- op(integer rs1) */
#define TEST_X_TO_S(n, inst, res, flags, a) \
  TEST(n); li a1, a; csrwi fflags, 0; inst fa0, a1; fmv.x.w a0, fa0; CHECK(a0, res); CHECK_FLAGS(flags)
#define TEST_X_TO_S_RM(n, inst, rm, res, flags, a) \
  TEST(n); li a1, a; csrwi fflags, 0; inst fa0, a1, rm; fmv.x.w a0, fa0; CHECK(a0, res); CHECK_FLAGS(flags)

/* ---- double ---- */
#define LOADD(freg, bits) li t0, bits; fmv.d.x freg, t0
#define TEST_D2(n, inst, res, flags, a, b) \
  TEST(n); LOADD(fa1, a); LOADD(fa2, b); csrwi fflags, 0; \
  inst fa0, fa1, fa2; fmv.x.d a0, fa0; CHECK(a0, res); CHECK_FLAGS(flags)
#define TEST_D2_RM(n, inst, rm, res, flags, a, b) \
  TEST(n); LOADD(fa1, a); LOADD(fa2, b); csrwi fflags, 0; \
  inst fa0, fa1, fa2, rm; fmv.x.d a0, fa0; CHECK(a0, res); CHECK_FLAGS(flags)
#define TEST_D1(n, inst, res, flags, a) \
  TEST(n); LOADD(fa1, a); csrwi fflags, 0; inst fa0, fa1; fmv.x.d a0, fa0; CHECK(a0, res); CHECK_FLAGS(flags)
#define TEST_D1_RM(n, inst, rm, res, flags, a) \
  TEST(n); LOADD(fa1, a); csrwi fflags, 0; inst fa0, fa1, rm; fmv.x.d a0, fa0; CHECK(a0, res); CHECK_FLAGS(flags)
#define TEST_D3(n, inst, res, flags, a, b, c) \
  TEST(n); LOADD(fa1, a); LOADD(fa2, b); LOADD(fa3, c); csrwi fflags, 0; \
  inst fa0, fa1, fa2, fa3; fmv.x.d a0, fa0; CHECK(a0, res); CHECK_FLAGS(flags)
#define TEST_D_TO_X(n, inst, res, flags, a) \
  TEST(n); LOADD(fa1, a); csrwi fflags, 0; inst a0, fa1; CHECK(a0, res); CHECK_FLAGS(flags)
#define TEST_D_TO_X_RM(n, inst, rm, res, flags, a) \
  TEST(n); LOADD(fa1, a); csrwi fflags, 0; inst a0, fa1, rm; CHECK(a0, res); CHECK_FLAGS(flags)
#define TEST_DD_TO_X(n, inst, res, flags, a, b) \
  TEST(n); LOADD(fa1, a); LOADD(fa2, b); csrwi fflags, 0; inst a0, fa1, fa2; CHECK(a0, res); CHECK_FLAGS(flags)
#define TEST_X_TO_D(n, inst, res, flags, a) \
  TEST(n); li a1, a; csrwi fflags, 0; inst fa0, a1; fmv.x.d a0, fa0; CHECK(a0, res); CHECK_FLAGS(flags)
#define TEST_X_TO_D_RM(n, inst, rm, res, flags, a) \
  TEST(n); li a1, a; csrwi fflags, 0; inst fa0, a1, rm; fmv.x.d a0, fa0; CHECK(a0, res); CHECK_FLAGS(flags)
/* double -> single and back */
#define TEST_D_TO_S(n, res, flags, a) \
  TEST(n); LOADD(fa1, a); csrwi fflags, 0; fcvt.s.d fa0, fa1; fmv.x.w a0, fa0; CHECK(a0, res); CHECK_FLAGS(flags)
#define TEST_D_TO_S_RM(n, rm, res, flags, a) \
  TEST(n); LOADD(fa1, a); csrwi fflags, 0; fcvt.s.d fa0, fa1, rm; fmv.x.w a0, fa0; CHECK(a0, res); CHECK_FLAGS(flags)
#define TEST_S_TO_D(n, res, flags, a) \
  TEST(n); LOADS(fa1, a); csrwi fflags, 0; fcvt.d.s fa0, fa1; fmv.x.d a0, fa0; CHECK(a0, res); CHECK_FLAGS(flags)

#endif
