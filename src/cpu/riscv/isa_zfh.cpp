// Zfhmin: half-precision loads, stores, moves and conversions to and from single and
// double (no half-precision arithmetic). Halves are NaN-boxed in the f registers.
#include <type_traits>

#include "cpu/riscv/decoder.h"
#include "cpu/riscv/fp_format.h"
#include "cpu/riscv/insn_fields.h"
#include "cpu/riscv/memory_access.h"

namespace vessel::riscv {
namespace {

using namespace field;
using fp::Round;

void flh(Hart& h, uint32_t i) {
  if (!fp_usable(h)) return;
  uint16_t v;
  if (load(h, h.x[rs1(i)] + imm_i(i), v)) Half::set(h, rd(i), v);
}
void fsh(Hart& h, uint32_t i) {
  if (!fp_usable(h)) return;
  (void)store(h, h.x[rs1(i)] + imm_s(i), static_cast<uint16_t>(h.f[rs2(i)]));  // raw bits, no unboxing
}
void fmv_x_h(Hart& h, uint32_t i) {
  if (!fp_usable(h)) return;
  h.x[rd(i)] = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(h.f[rs1(i)])));
}
void fmv_h_x(Hart& h, uint32_t i) {
  if (!fp_usable(h)) return;
  Half::set(h, rd(i), static_cast<uint16_t>(h.x[rs1(i)]));
}

// Conversions decode rm even where the result is exact (widening), as F and D do.
template <typename To, typename From>
void fcvt(Hart& h, uint32_t i) {
  if (!fp_usable(h)) return;
  Round rm;
  if (!rounding_mode(h, i, rm)) return h.raise_illegal();
  uint8_t fl = 0;
  const auto a = From::get(h, rs1(i));
  typename To::Bits r;
  if constexpr (std::is_same_v<From, Half>) {
    if constexpr (std::is_same_v<To, Single>) r = fp::f16_to_f32(a, fl);
    else r = fp::f16_to_f64(a, fl);
  } else if constexpr (std::is_same_v<From, Single>) {
    r = fp::f32_to_f16(a, rm, fl);
  } else {
    r = fp::f64_to_f16(a, rm, fl);
  }
  To::set(h, rd(i), r);
  accrue(h, fl);
}

constexpr Encoding kTable[] = {
    encoding("flh", "???????????? ????? 001 ????? 0000111", flh),
    encoding("fsh", "??????? ????? ????? 001 ????? 0100111", fsh),
    encoding("fmv.x.h", "1110010 00000 ????? 000 ????? 1010011", fmv_x_h),
    encoding("fmv.h.x", "1111010 00000 ????? 000 ????? 1010011", fmv_h_x),
    encoding("fcvt.s.h", "0100000 00010 ????? ??? ????? 1010011", fcvt<Single, Half>),
    encoding("fcvt.h.s", "0100010 00000 ????? ??? ????? 1010011", fcvt<Half, Single>),
    encoding("fcvt.d.h", "0100001 00010 ????? ??? ????? 1010011", fcvt<Double, Half>),
    encoding("fcvt.h.d", "0100010 00001 ????? ??? ????? 1010011", fcvt<Half, Double>),
};

}  // namespace

std::span<const Encoding> zfhmin_encodings() { return kTable; }

}  // namespace vessel::riscv
