// RV64M: multiplication and division, with the spec's results for division by zero and overflow.
#include <limits>

#include "cpu/riscv/decoder.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/insn_fields.h"

namespace vessel::riscv {
namespace {

using namespace field;
using i128 = __int128;
using u128 = unsigned __int128;

uint64_t sext32(uint64_t v) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v))); }

void mul(Hart& h, uint32_t i) { h.x[rd(i)] = h.x[rs1(i)] * h.x[rs2(i)]; }
void mulh(Hart& h, uint32_t i) {
  h.x[rd(i)] = static_cast<uint64_t>(
      (static_cast<i128>(static_cast<int64_t>(h.x[rs1(i)])) * static_cast<int64_t>(h.x[rs2(i)])) >> 64);
}
void mulhsu(Hart& h, uint32_t i) {
  const i128 a = static_cast<int64_t>(h.x[rs1(i)]);
  const i128 b = static_cast<i128>(static_cast<u128>(h.x[rs2(i)]));
  h.x[rd(i)] = static_cast<uint64_t>(static_cast<u128>(a * b) >> 64);
}
void mulhu(Hart& h, uint32_t i) {
  h.x[rd(i)] = static_cast<uint64_t>((static_cast<u128>(h.x[rs1(i)]) * h.x[rs2(i)]) >> 64);
}

template <typename S>  // S = int64_t or int32_t
S sdiv(S a, S b) {
  if (b == 0) return -1;
  if (a == std::numeric_limits<S>::min() && b == -1) return a;
  return a / b;
}
template <typename S>
S srem(S a, S b) {
  if (b == 0) return a;
  if (a == std::numeric_limits<S>::min() && b == -1) return 0;
  return a % b;
}
template <typename U>
U udiv(U a, U b) { return b == 0 ? static_cast<U>(~U{0}) : a / b; }
template <typename U>
U urem(U a, U b) { return b == 0 ? a : a % b; }

void div(Hart& h, uint32_t i) {
  h.x[rd(i)] = sdiv<int64_t>(h.x[rs1(i)], h.x[rs2(i)]);
}
void divu(Hart& h, uint32_t i) { h.x[rd(i)] = udiv<uint64_t>(h.x[rs1(i)], h.x[rs2(i)]); }
void rem(Hart& h, uint32_t i) { h.x[rd(i)] = srem<int64_t>(h.x[rs1(i)], h.x[rs2(i)]); }
void remu(Hart& h, uint32_t i) { h.x[rd(i)] = urem<uint64_t>(h.x[rs1(i)], h.x[rs2(i)]); }
void mulw(Hart& h, uint32_t i) { h.x[rd(i)] = sext32(h.x[rs1(i)] * h.x[rs2(i)]); }
void divw(Hart& h, uint32_t i) {
  h.x[rd(i)] = sext32(static_cast<uint32_t>(sdiv<int32_t>(static_cast<int32_t>(h.x[rs1(i)]), static_cast<int32_t>(h.x[rs2(i)]))));
}
void divuw(Hart& h, uint32_t i) {
  h.x[rd(i)] = sext32(udiv<uint32_t>(static_cast<uint32_t>(h.x[rs1(i)]), static_cast<uint32_t>(h.x[rs2(i)])));
}
void remw(Hart& h, uint32_t i) {
  h.x[rd(i)] = sext32(static_cast<uint32_t>(srem<int32_t>(static_cast<int32_t>(h.x[rs1(i)]), static_cast<int32_t>(h.x[rs2(i)]))));
}
void remuw(Hart& h, uint32_t i) {
  h.x[rd(i)] = sext32(urem<uint32_t>(static_cast<uint32_t>(h.x[rs1(i)]), static_cast<uint32_t>(h.x[rs2(i)])));
}

constexpr Encoding kTable[] = {
    encoding("mul", "0000001 ????? ????? 000 ????? 0110011", mul),
    encoding("mulh", "0000001 ????? ????? 001 ????? 0110011", mulh),
    encoding("mulhsu", "0000001 ????? ????? 010 ????? 0110011", mulhsu),
    encoding("mulhu", "0000001 ????? ????? 011 ????? 0110011", mulhu),
    encoding("div", "0000001 ????? ????? 100 ????? 0110011", div),
    encoding("divu", "0000001 ????? ????? 101 ????? 0110011", divu),
    encoding("rem", "0000001 ????? ????? 110 ????? 0110011", rem),
    encoding("remu", "0000001 ????? ????? 111 ????? 0110011", remu),
    encoding("mulw", "0000001 ????? ????? 000 ????? 0111011", mulw),
    encoding("divw", "0000001 ????? ????? 100 ????? 0111011", divw),
    encoding("divuw", "0000001 ????? ????? 101 ????? 0111011", divuw),
    encoding("remw", "0000001 ????? ????? 110 ????? 0111011", remw),
    encoding("remuw", "0000001 ????? ????? 111 ????? 0111011", remuw),
};

}  // namespace

std::span<const Encoding> rv64m_encodings() { return kTable; }

}  // namespace vessel::riscv
