// Zfa: additional floating-point instructions for F and D (RV64; the half-precision forms
// need Zfh, and fmvh.x.d/fmvp.d.x are RV32 only): fli, fminm/fmaxm, fround/froundnx,
// fcvtmod.w.d, fleq/fltq.
#include "cpu/riscv/decoder.h"
#include "cpu/riscv/fp_format.h"
#include "cpu/riscv/insn_fields.h"

namespace vessel::riscv {
namespace {

using namespace field;
using fp::Round;

// fli's 32 constants: +-(1 + m/4) * 2^e, and three specials.
struct FliEntry {
  bool negative;
  int8_t exp;
  uint8_t quarter;  // m
};
enum : int8_t { kMinNormal = 100, kInf = 101, kNaN = 102 };
constexpr FliEntry kFli[32] = {
    {true, 0, 0},   {false, kMinNormal, 0}, {false, -16, 0}, {false, -15, 0}, {false, -8, 0}, {false, -7, 0},
    {false, -4, 0}, {false, -3, 0},         {false, -2, 0},  {false, -2, 1},  {false, -2, 2}, {false, -2, 3},
    {false, -1, 0}, {false, -1, 1},         {false, -1, 2},  {false, -1, 3},  {false, 0, 0},  {false, 0, 1},
    {false, 0, 2},  {false, 0, 3},          {false, 1, 0},   {false, 1, 1},   {false, 1, 2},  {false, 2, 0},
    {false, 3, 0},  {false, 4, 0},          {false, 7, 0},   {false, 8, 0},   {false, 15, 0}, {false, 16, 0},
    {false, kInf, 0}, {false, kNaN, 0},
};

template <typename Bits, int kFracBits, int kBias>
Bits fli_value(unsigned index) {
  const FliEntry& e = kFli[index];
  constexpr Bits kOne = 1;
  const Bits sign = e.negative ? kOne << (sizeof(Bits) * 8 - 1) : 0;
  switch (e.exp) {
    case kMinNormal: return kOne << kFracBits;
    case kInf: return static_cast<Bits>((2 * kBias + 1)) << kFracBits;
    case kNaN: return static_cast<Bits>((2 * kBias + 1)) << kFracBits | kOne << (kFracBits - 1);
    default: break;
  }
  return sign | static_cast<Bits>(e.exp + kBias) << kFracBits | static_cast<Bits>(e.quarter) << (kFracBits - 2);
}

void fli_s(Hart& h, uint32_t i) {
  if (fp_usable(h)) Single::set(h, rd(i), fli_value<uint32_t, 23, 127>(rs1(i)));
}
void fli_d(Hart& h, uint32_t i) {
  if (fp_usable(h)) Double::set(h, rd(i), fli_value<uint64_t, 52, 1023>(rs1(i)));
}

struct SingleZfa : Single {
  // One declarator each: `auto` deduces a different type for round (clang refuses the mix).
  static constexpr auto minm = fp::f32_minm, maxm = fp::f32_maxm;
  static constexpr auto round = fp::f32_round;
  static constexpr auto leq = fp::f32_leq, ltq = fp::f32_ltq;
};
struct DoubleZfa : Double {
  // One declarator each: `auto` deduces a different type for round (clang refuses the mix).
  static constexpr auto minm = fp::f64_minm, maxm = fp::f64_maxm;
  static constexpr auto round = fp::f64_round;
  static constexpr auto leq = fp::f64_leq, ltq = fp::f64_ltq;
};

template <typename F, bool kMax>
void fminmaxm(Hart& h, uint32_t i) {
  if (!fp_usable(h)) return;
  uint8_t fl = 0;
  const auto a = F::get(h, rs1(i)), b = F::get(h, rs2(i));
  F::set(h, rd(i), kMax ? F::maxm(a, b, fl) : F::minm(a, b, fl));
  accrue(h, fl);
}

template <typename F, bool kRaiseInexact>
void fround(Hart& h, uint32_t i) {
  if (!fp_usable(h)) return;
  Round rm;
  if (!rounding_mode(h, i, rm)) return h.raise_illegal();
  uint8_t fl = 0;
  F::set(h, rd(i), F::round(F::get(h, rs1(i)), rm, kRaiseInexact, fl));
  accrue(h, fl);
}

template <typename F, bool kOrEqual>
void fcompare_quiet(Hart& h, uint32_t i) {
  if (!fp_usable(h)) return;
  uint8_t fl = 0;
  const auto a = F::get(h, rs1(i)), b = F::get(h, rs2(i));
  h.x[rd(i)] = kOrEqual ? F::leq(a, b, fl) : F::ltq(a, b, fl);
  accrue(h, fl);
}

void fcvtmod_w_d(Hart& h, uint32_t i) {
  if (!fp_usable(h)) return;
  uint8_t fl = 0;
  const uint32_t v = fp::f64_to_i32_modular(Double::get(h, rs1(i)), fl);
  h.x[rd(i)] = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v)));
  accrue(h, fl);
}

using S = SingleZfa;
using D = DoubleZfa;
constexpr Encoding kTable[] = {
    encoding("fli.s", "1111000 00001 ????? 000 ????? 1010011", fli_s),
    encoding("fli.d", "1111001 00001 ????? 000 ????? 1010011", fli_d),
    encoding("fminm.s", "0010100 ????? ????? 010 ????? 1010011", fminmaxm<S, false>),
    encoding("fmaxm.s", "0010100 ????? ????? 011 ????? 1010011", fminmaxm<S, true>),
    encoding("fminm.d", "0010101 ????? ????? 010 ????? 1010011", fminmaxm<D, false>),
    encoding("fmaxm.d", "0010101 ????? ????? 011 ????? 1010011", fminmaxm<D, true>),
    encoding("fround.s", "0100000 00100 ????? ??? ????? 1010011", fround<S, false>),
    encoding("froundnx.s", "0100000 00101 ????? ??? ????? 1010011", fround<S, true>),
    encoding("fround.d", "0100001 00100 ????? ??? ????? 1010011", fround<D, false>),
    encoding("froundnx.d", "0100001 00101 ????? ??? ????? 1010011", fround<D, true>),
    encoding("fcvtmod.w.d", "1100001 01000 ????? 001 ????? 1010011", fcvtmod_w_d),
    encoding("fleq.s", "1010000 ????? ????? 100 ????? 1010011", fcompare_quiet<S, true>),
    encoding("fltq.s", "1010000 ????? ????? 101 ????? 1010011", fcompare_quiet<S, false>),
    encoding("fleq.d", "1010001 ????? ????? 100 ????? 1010011", fcompare_quiet<D, true>),
    encoding("fltq.d", "1010001 ????? ????? 101 ????? 1010011", fcompare_quiet<D, false>),
};

}  // namespace

std::span<const Encoding> zfa_encodings() { return kTable; }

}  // namespace vessel::riscv
