// RV64F and RV64D: one handler template per operation, instantiated for both formats.
#include "cpu/riscv/decoder.h"
#include "cpu/riscv/fp_format.h"
#include "cpu/riscv/insn_fields.h"
#include "cpu/riscv/memory_access.h"

namespace vessel::riscv {
namespace {

using namespace field;
using fp::Round;

uint64_t sext32(uint32_t v) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v))); }

// Operation tables for each format, so the handlers below are written once.
struct SingleOps : Single {
  static constexpr auto add = fp::f32_add, sub = fp::f32_sub, mul = fp::f32_mul, div = fp::f32_div;
  static constexpr auto sqrt = fp::f32_sqrt;
  static constexpr auto muladd = fp::f32_muladd;
  static constexpr auto min = fp::f32_min, max = fp::f32_max;
  static constexpr auto eq = fp::f32_eq, lt = fp::f32_lt, le = fp::f32_le;
  static constexpr auto classify = fp::f32_classify;
  static constexpr auto to_i32 = fp::f32_to_i32;
  static constexpr auto to_u32 = fp::f32_to_u32;
  static constexpr auto to_i64 = fp::f32_to_i64;
  static constexpr auto to_u64 = fp::f32_to_u64;
  static constexpr auto from_i32 = fp::i32_to_f32;
  static constexpr auto from_u32 = fp::u32_to_f32;
  static constexpr auto from_i64 = fp::i64_to_f32;
  static constexpr auto from_u64 = fp::u64_to_f32;
};
struct DoubleOps : Double {
  static constexpr auto add = fp::f64_add, sub = fp::f64_sub, mul = fp::f64_mul, div = fp::f64_div;
  static constexpr auto sqrt = fp::f64_sqrt;
  static constexpr auto muladd = fp::f64_muladd;
  static constexpr auto min = fp::f64_min, max = fp::f64_max;
  static constexpr auto eq = fp::f64_eq, lt = fp::f64_lt, le = fp::f64_le;
  static constexpr auto classify = fp::f64_classify;
  static constexpr auto to_i32 = fp::f64_to_i32;
  static constexpr auto to_u32 = fp::f64_to_u32;
  static constexpr auto to_i64 = fp::f64_to_i64;
  static constexpr auto to_u64 = fp::f64_to_u64;
  static constexpr auto from_i32 = fp::i32_to_f64;
  static constexpr auto from_u32 = fp::u32_to_f64;
  static constexpr auto from_i64 = fp::i64_to_f64;
  static constexpr auto from_u64 = fp::u64_to_f64;
};

// Every F/D handler starts here: FS=Off makes the instruction illegal.
#define VESSEL_REQUIRE_FP(h) \
  if (!(h).fp_enabled()) return (h).raise_illegal()

template <typename F>
void fload(Hart& h, uint32_t i) {
  VESSEL_REQUIRE_FP(h);
  typename F::Bits v;
  if (load(h, h.x[rs1(i)] + imm_i(i), v)) F::set(h, rd(i), v);
}
template <typename F>
void fstore(Hart& h, uint32_t i) {
  VESSEL_REQUIRE_FP(h);
  // Stores write the raw register bits (no unboxing), as the spec requires.
  (void)store(h, h.x[rs1(i)] + imm_s(i), static_cast<typename F::Bits>(h.f[rs2(i)]));
}

enum class Arith { Add, Sub, Mul, Div };
template <typename F, Arith op>
void arith(Hart& h, uint32_t i) {
  VESSEL_REQUIRE_FP(h);
  Round rm;
  if (!rounding_mode(h, i, rm)) return h.raise_illegal();
  uint8_t fl = 0;
  const auto a = F::get(h, rs1(i)), b = F::get(h, rs2(i));
  typename F::Bits r;
  switch (op) {
    case Arith::Add: r = F::add(a, b, rm, fl); break;
    case Arith::Sub: r = F::sub(a, b, rm, fl); break;
    case Arith::Mul: r = F::mul(a, b, rm, fl); break;
    case Arith::Div: r = F::div(a, b, rm, fl); break;
  }
  F::set(h, rd(i), r);
  accrue(h, fl);
}
template <typename F>
void fsqrt(Hart& h, uint32_t i) {
  VESSEL_REQUIRE_FP(h);
  Round rm;
  if (!rounding_mode(h, i, rm)) return h.raise_illegal();
  uint8_t fl = 0;
  F::set(h, rd(i), F::sqrt(F::get(h, rs1(i)), rm, fl));
  accrue(h, fl);
}
template <typename F, bool negate_product, bool negate_addend>
void fused(Hart& h, uint32_t i) {
  VESSEL_REQUIRE_FP(h);
  Round rm;
  if (!rounding_mode(h, i, rm)) return h.raise_illegal();
  uint8_t fl = 0;
  F::set(h, rd(i),
         F::muladd(F::get(h, rs1(i)), F::get(h, rs2(i)), F::get(h, rs3(i)), negate_product, negate_addend, rm, fl));
  accrue(h, fl);
}

enum class Sign { Copy, Negate, Xor };
template <typename F, Sign mode>
void fsgnj(Hart& h, uint32_t i) {
  VESSEL_REQUIRE_FP(h);
  const auto a = F::get(h, rs1(i)), b = F::get(h, rs2(i));
  const auto s = F::kSignBit;
  const auto sign = mode == Sign::Copy ? (b & s) : mode == Sign::Negate ? (~b & s) : ((a ^ b) & s);
  F::set(h, rd(i), (a & ~s) | sign);
}
template <typename F, bool is_max>
void fminmax(Hart& h, uint32_t i) {
  VESSEL_REQUIRE_FP(h);
  uint8_t fl = 0;
  const auto a = F::get(h, rs1(i)), b = F::get(h, rs2(i));
  F::set(h, rd(i), is_max ? F::max(a, b, fl) : F::min(a, b, fl));
  accrue(h, fl);
}
enum class Cmp { Eq, Lt, Le };
template <typename F, Cmp op>
void fcompare(Hart& h, uint32_t i) {
  VESSEL_REQUIRE_FP(h);
  uint8_t fl = 0;
  const auto a = F::get(h, rs1(i)), b = F::get(h, rs2(i));
  h.x[rd(i)] = op == Cmp::Eq ? F::eq(a, b, fl) : op == Cmp::Lt ? F::lt(a, b, fl) : F::le(a, b, fl);
  accrue(h, fl);
}
template <typename F>
void fclass(Hart& h, uint32_t i) {
  VESSEL_REQUIRE_FP(h);
  h.x[rd(i)] = F::classify(F::get(h, rs1(i)));
}

enum class Int { W, WU, L, LU };
template <typename F, Int kind>
void fcvt_to_int(Hart& h, uint32_t i) {
  VESSEL_REQUIRE_FP(h);
  Round rm;
  if (!rounding_mode(h, i, rm)) return h.raise_illegal();
  uint8_t fl = 0;
  const auto a = F::get(h, rs1(i));
  uint64_t r;
  switch (kind) {
    case Int::W: r = sext32(static_cast<uint32_t>(F::to_i32(a, rm, fl))); break;
    case Int::WU: r = sext32(F::to_u32(a, rm, fl)); break;  // the 32-bit result is sign-extended too
    case Int::L: r = static_cast<uint64_t>(F::to_i64(a, rm, fl)); break;
    case Int::LU: r = F::to_u64(a, rm, fl); break;
  }
  h.x[rd(i)] = r;
  accrue(h, fl);
}
template <typename F, Int kind>
void fcvt_from_int(Hart& h, uint32_t i) {
  VESSEL_REQUIRE_FP(h);
  Round rm;
  if (!rounding_mode(h, i, rm)) return h.raise_illegal();
  uint8_t fl = 0;
  const uint64_t v = h.x[rs1(i)];
  typename F::Bits r;
  switch (kind) {
    case Int::W: r = F::from_i32(static_cast<int32_t>(v), rm, fl); break;
    case Int::WU: r = F::from_u32(static_cast<uint32_t>(v), rm, fl); break;
    case Int::L: r = F::from_i64(static_cast<int64_t>(v), rm, fl); break;
    case Int::LU: r = F::from_u64(v, rm, fl); break;
  }
  F::set(h, rd(i), r);
  accrue(h, fl);
}

void fcvt_s_d(Hart& h, uint32_t i) {
  VESSEL_REQUIRE_FP(h);
  Round rm;
  if (!rounding_mode(h, i, rm)) return h.raise_illegal();
  uint8_t fl = 0;
  Single::set(h, rd(i), fp::f64_to_f32(Double::get(h, rs1(i)), rm, fl));
  accrue(h, fl);
}
void fcvt_d_s(Hart& h, uint32_t i) {
  VESSEL_REQUIRE_FP(h);
  Round rm;
  if (!rounding_mode(h, i, rm)) return h.raise_illegal();
  uint8_t fl = 0;
  Double::set(h, rd(i), fp::f32_to_f64(Single::get(h, rs1(i)), fl));
  accrue(h, fl);
}

// Moves copy raw bits: fmv.x.w sign-extends the low 32 bits without unboxing.
void fmv_x_w(Hart& h, uint32_t i) {
  VESSEL_REQUIRE_FP(h);
  h.x[rd(i)] = sext32(static_cast<uint32_t>(h.f[rs1(i)]));
}
void fmv_w_x(Hart& h, uint32_t i) {
  VESSEL_REQUIRE_FP(h);
  Single::set(h, rd(i), static_cast<uint32_t>(h.x[rs1(i)]));
}
void fmv_x_d(Hart& h, uint32_t i) {
  VESSEL_REQUIRE_FP(h);
  h.x[rd(i)] = h.f[rs1(i)];
}
void fmv_d_x(Hart& h, uint32_t i) {
  VESSEL_REQUIRE_FP(h);
  Double::set(h, rd(i), h.x[rs1(i)]);
}

#undef VESSEL_REQUIRE_FP

using S = SingleOps;
using D = DoubleOps;

constexpr Encoding kSingle[] = {
    encoding("flw", "???????????? ????? 010 ????? 0000111", fload<S>),
    encoding("fsw", "??????? ????? ????? 010 ????? 0100111", fstore<S>),
    encoding("fmadd.s", "????? 00 ????? ????? ??? ????? 1000011", fused<S, false, false>),
    encoding("fmsub.s", "????? 00 ????? ????? ??? ????? 1000111", fused<S, false, true>),
    encoding("fnmsub.s", "????? 00 ????? ????? ??? ????? 1001011", fused<S, true, false>),
    encoding("fnmadd.s", "????? 00 ????? ????? ??? ????? 1001111", fused<S, true, true>),
    encoding("fadd.s", "0000000 ????? ????? ??? ????? 1010011", arith<S, Arith::Add>),
    encoding("fsub.s", "0000100 ????? ????? ??? ????? 1010011", arith<S, Arith::Sub>),
    encoding("fmul.s", "0001000 ????? ????? ??? ????? 1010011", arith<S, Arith::Mul>),
    encoding("fdiv.s", "0001100 ????? ????? ??? ????? 1010011", arith<S, Arith::Div>),
    encoding("fsqrt.s", "0101100 00000 ????? ??? ????? 1010011", fsqrt<S>),
    encoding("fsgnj.s", "0010000 ????? ????? 000 ????? 1010011", fsgnj<S, Sign::Copy>),
    encoding("fsgnjn.s", "0010000 ????? ????? 001 ????? 1010011", fsgnj<S, Sign::Negate>),
    encoding("fsgnjx.s", "0010000 ????? ????? 010 ????? 1010011", fsgnj<S, Sign::Xor>),
    encoding("fmin.s", "0010100 ????? ????? 000 ????? 1010011", fminmax<S, false>),
    encoding("fmax.s", "0010100 ????? ????? 001 ????? 1010011", fminmax<S, true>),
    encoding("fcvt.w.s", "1100000 00000 ????? ??? ????? 1010011", fcvt_to_int<S, Int::W>),
    encoding("fcvt.wu.s", "1100000 00001 ????? ??? ????? 1010011", fcvt_to_int<S, Int::WU>),
    encoding("fcvt.l.s", "1100000 00010 ????? ??? ????? 1010011", fcvt_to_int<S, Int::L>),
    encoding("fcvt.lu.s", "1100000 00011 ????? ??? ????? 1010011", fcvt_to_int<S, Int::LU>),
    encoding("fmv.x.w", "1110000 00000 ????? 000 ????? 1010011", fmv_x_w),
    encoding("feq.s", "1010000 ????? ????? 010 ????? 1010011", fcompare<S, Cmp::Eq>),
    encoding("flt.s", "1010000 ????? ????? 001 ????? 1010011", fcompare<S, Cmp::Lt>),
    encoding("fle.s", "1010000 ????? ????? 000 ????? 1010011", fcompare<S, Cmp::Le>),
    encoding("fclass.s", "1110000 00000 ????? 001 ????? 1010011", fclass<S>),
    encoding("fcvt.s.w", "1101000 00000 ????? ??? ????? 1010011", fcvt_from_int<S, Int::W>),
    encoding("fcvt.s.wu", "1101000 00001 ????? ??? ????? 1010011", fcvt_from_int<S, Int::WU>),
    encoding("fcvt.s.l", "1101000 00010 ????? ??? ????? 1010011", fcvt_from_int<S, Int::L>),
    encoding("fcvt.s.lu", "1101000 00011 ????? ??? ????? 1010011", fcvt_from_int<S, Int::LU>),
    encoding("fmv.w.x", "1111000 00000 ????? 000 ????? 1010011", fmv_w_x),
};

constexpr Encoding kDouble[] = {
    encoding("fld", "???????????? ????? 011 ????? 0000111", fload<D>),
    encoding("fsd", "??????? ????? ????? 011 ????? 0100111", fstore<D>),
    encoding("fmadd.d", "????? 01 ????? ????? ??? ????? 1000011", fused<D, false, false>),
    encoding("fmsub.d", "????? 01 ????? ????? ??? ????? 1000111", fused<D, false, true>),
    encoding("fnmsub.d", "????? 01 ????? ????? ??? ????? 1001011", fused<D, true, false>),
    encoding("fnmadd.d", "????? 01 ????? ????? ??? ????? 1001111", fused<D, true, true>),
    encoding("fadd.d", "0000001 ????? ????? ??? ????? 1010011", arith<D, Arith::Add>),
    encoding("fsub.d", "0000101 ????? ????? ??? ????? 1010011", arith<D, Arith::Sub>),
    encoding("fmul.d", "0001001 ????? ????? ??? ????? 1010011", arith<D, Arith::Mul>),
    encoding("fdiv.d", "0001101 ????? ????? ??? ????? 1010011", arith<D, Arith::Div>),
    encoding("fsqrt.d", "0101101 00000 ????? ??? ????? 1010011", fsqrt<D>),
    encoding("fsgnj.d", "0010001 ????? ????? 000 ????? 1010011", fsgnj<D, Sign::Copy>),
    encoding("fsgnjn.d", "0010001 ????? ????? 001 ????? 1010011", fsgnj<D, Sign::Negate>),
    encoding("fsgnjx.d", "0010001 ????? ????? 010 ????? 1010011", fsgnj<D, Sign::Xor>),
    encoding("fmin.d", "0010101 ????? ????? 000 ????? 1010011", fminmax<D, false>),
    encoding("fmax.d", "0010101 ????? ????? 001 ????? 1010011", fminmax<D, true>),
    encoding("fcvt.s.d", "0100000 00001 ????? ??? ????? 1010011", fcvt_s_d),
    encoding("fcvt.d.s", "0100001 00000 ????? ??? ????? 1010011", fcvt_d_s),
    encoding("feq.d", "1010001 ????? ????? 010 ????? 1010011", fcompare<D, Cmp::Eq>),
    encoding("flt.d", "1010001 ????? ????? 001 ????? 1010011", fcompare<D, Cmp::Lt>),
    encoding("fle.d", "1010001 ????? ????? 000 ????? 1010011", fcompare<D, Cmp::Le>),
    encoding("fclass.d", "1110001 00000 ????? 001 ????? 1010011", fclass<D>),
    encoding("fcvt.w.d", "1100001 00000 ????? ??? ????? 1010011", fcvt_to_int<D, Int::W>),
    encoding("fcvt.wu.d", "1100001 00001 ????? ??? ????? 1010011", fcvt_to_int<D, Int::WU>),
    encoding("fcvt.l.d", "1100001 00010 ????? ??? ????? 1010011", fcvt_to_int<D, Int::L>),
    encoding("fcvt.lu.d", "1100001 00011 ????? ??? ????? 1010011", fcvt_to_int<D, Int::LU>),
    encoding("fcvt.d.w", "1101001 00000 ????? ??? ????? 1010011", fcvt_from_int<D, Int::W>),
    encoding("fcvt.d.wu", "1101001 00001 ????? ??? ????? 1010011", fcvt_from_int<D, Int::WU>),
    encoding("fcvt.d.l", "1101001 00010 ????? ??? ????? 1010011", fcvt_from_int<D, Int::L>),
    encoding("fcvt.d.lu", "1101001 00011 ????? ??? ????? 1010011", fcvt_from_int<D, Int::LU>),
    encoding("fmv.x.d", "1110001 00000 ????? 000 ????? 1010011", fmv_x_d),
    encoding("fmv.d.x", "1111001 00000 ????? 000 ????? 1010011", fmv_d_x),
};

}  // namespace

std::span<const Encoding> rv64f_encodings() { return kSingle; }
std::span<const Encoding> rv64d_encodings() { return kDouble; }

}  // namespace vessel::riscv
