// Bit manipulation: Zba (address generation), Zbb (basic bit manipulation), Zbs (single bits).
#include <bit>

#include "cpu/riscv/decoder.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/insn_fields.h"

namespace vessel::riscv {
namespace {

using namespace field;

int64_t s64(uint64_t v) { return static_cast<int64_t>(v); }
uint64_t sext32(uint64_t v) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v))); }
uint64_t zext32(uint64_t v) { return v & 0xffffffffull; }
unsigned shamt6(uint32_t i) { return (i >> 20) & 63; }

// ---- Zba
template <unsigned kShift>
void shadd(Hart& h, uint32_t i) { h.x[rd(i)] = h.x[rs2(i)] + (h.x[rs1(i)] << kShift); }
template <unsigned kShift>
void shadd_uw(Hart& h, uint32_t i) { h.x[rd(i)] = h.x[rs2(i)] + (zext32(h.x[rs1(i)]) << kShift); }
void slli_uw(Hart& h, uint32_t i) { h.x[rd(i)] = zext32(h.x[rs1(i)]) << shamt6(i); }

// ---- Zbb
void andn(Hart& h, uint32_t i) { h.x[rd(i)] = h.x[rs1(i)] & ~h.x[rs2(i)]; }
void orn(Hart& h, uint32_t i) { h.x[rd(i)] = h.x[rs1(i)] | ~h.x[rs2(i)]; }
void xnor(Hart& h, uint32_t i) { h.x[rd(i)] = ~(h.x[rs1(i)] ^ h.x[rs2(i)]); }
void clz(Hart& h, uint32_t i) { h.x[rd(i)] = static_cast<uint64_t>(std::countl_zero(h.x[rs1(i)])); }
void ctz(Hart& h, uint32_t i) { h.x[rd(i)] = static_cast<uint64_t>(std::countr_zero(h.x[rs1(i)])); }
void cpop(Hart& h, uint32_t i) { h.x[rd(i)] = static_cast<uint64_t>(std::popcount(h.x[rs1(i)])); }
void clzw(Hart& h, uint32_t i) {
  h.x[rd(i)] = static_cast<uint64_t>(std::countl_zero(static_cast<uint32_t>(h.x[rs1(i)])));
}
void ctzw(Hart& h, uint32_t i) {
  h.x[rd(i)] = static_cast<uint64_t>(std::countr_zero(static_cast<uint32_t>(h.x[rs1(i)])));
}
void cpopw(Hart& h, uint32_t i) { h.x[rd(i)] = static_cast<uint64_t>(std::popcount(static_cast<uint32_t>(h.x[rs1(i)]))); }
void max(Hart& h, uint32_t i) { h.x[rd(i)] = s64(h.x[rs1(i)]) < s64(h.x[rs2(i)]) ? h.x[rs2(i)] : h.x[rs1(i)]; }
void maxu(Hart& h, uint32_t i) { h.x[rd(i)] = h.x[rs1(i)] < h.x[rs2(i)] ? h.x[rs2(i)] : h.x[rs1(i)]; }
void min(Hart& h, uint32_t i) { h.x[rd(i)] = s64(h.x[rs1(i)]) < s64(h.x[rs2(i)]) ? h.x[rs1(i)] : h.x[rs2(i)]; }
void minu(Hart& h, uint32_t i) { h.x[rd(i)] = h.x[rs1(i)] < h.x[rs2(i)] ? h.x[rs1(i)] : h.x[rs2(i)]; }
void sext_b(Hart& h, uint32_t i) { h.x[rd(i)] = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(h.x[rs1(i)]))); }
void sext_h(Hart& h, uint32_t i) { h.x[rd(i)] = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(h.x[rs1(i)]))); }
void zext_h(Hart& h, uint32_t i) { h.x[rd(i)] = h.x[rs1(i)] & 0xffff; }
void rol(Hart& h, uint32_t i) { h.x[rd(i)] = std::rotl(h.x[rs1(i)], static_cast<int>(h.x[rs2(i)] & 63)); }
void ror(Hart& h, uint32_t i) { h.x[rd(i)] = std::rotr(h.x[rs1(i)], static_cast<int>(h.x[rs2(i)] & 63)); }
void rori(Hart& h, uint32_t i) { h.x[rd(i)] = std::rotr(h.x[rs1(i)], static_cast<int>(shamt6(i))); }
void rolw(Hart& h, uint32_t i) {
  h.x[rd(i)] = sext32(std::rotl(static_cast<uint32_t>(h.x[rs1(i)]), static_cast<int>(h.x[rs2(i)] & 31)));
}
void rorw(Hart& h, uint32_t i) {
  h.x[rd(i)] = sext32(std::rotr(static_cast<uint32_t>(h.x[rs1(i)]), static_cast<int>(h.x[rs2(i)] & 31)));
}
void roriw(Hart& h, uint32_t i) {
  h.x[rd(i)] = sext32(std::rotr(static_cast<uint32_t>(h.x[rs1(i)]), static_cast<int>((i >> 20) & 31)));
}
void orc_b(Hart& h, uint32_t i) {
  const uint64_t v = h.x[rs1(i)];
  uint64_t out = 0;
  for (unsigned b = 0; b < 64; b += 8)
    if ((v >> b) & 0xff) out |= 0xffull << b;
  h.x[rd(i)] = out;
}
void rev8(Hart& h, uint32_t i) { h.x[rd(i)] = __builtin_bswap64(h.x[rs1(i)]); }

// ---- Zbs
uint64_t bit_of(uint64_t index) { return 1ull << (index & 63); }
void bclr(Hart& h, uint32_t i) { h.x[rd(i)] = h.x[rs1(i)] & ~bit_of(h.x[rs2(i)]); }
void bclri(Hart& h, uint32_t i) { h.x[rd(i)] = h.x[rs1(i)] & ~bit_of(shamt6(i)); }
void bext(Hart& h, uint32_t i) { h.x[rd(i)] = (h.x[rs1(i)] >> (h.x[rs2(i)] & 63)) & 1; }
void bexti(Hart& h, uint32_t i) { h.x[rd(i)] = (h.x[rs1(i)] >> shamt6(i)) & 1; }
void binv(Hart& h, uint32_t i) { h.x[rd(i)] = h.x[rs1(i)] ^ bit_of(h.x[rs2(i)]); }
void binvi(Hart& h, uint32_t i) { h.x[rd(i)] = h.x[rs1(i)] ^ bit_of(shamt6(i)); }
void bset(Hart& h, uint32_t i) { h.x[rd(i)] = h.x[rs1(i)] | bit_of(h.x[rs2(i)]); }
void bseti(Hart& h, uint32_t i) { h.x[rd(i)] = h.x[rs1(i)] | bit_of(shamt6(i)); }

constexpr Encoding kZba[] = {
    encoding("sh1add", "0010000 ????? ????? 010 ????? 0110011", shadd<1>),
    encoding("sh2add", "0010000 ????? ????? 100 ????? 0110011", shadd<2>),
    encoding("sh3add", "0010000 ????? ????? 110 ????? 0110011", shadd<3>),
    encoding("add.uw", "0000100 ????? ????? 000 ????? 0111011", shadd_uw<0>),
    encoding("sh1add.uw", "0010000 ????? ????? 010 ????? 0111011", shadd_uw<1>),
    encoding("sh2add.uw", "0010000 ????? ????? 100 ????? 0111011", shadd_uw<2>),
    encoding("sh3add.uw", "0010000 ????? ????? 110 ????? 0111011", shadd_uw<3>),
    encoding("slli.uw", "000010 ?????? ????? 001 ????? 0011011", slli_uw),
};

constexpr Encoding kZbb[] = {
    encoding("andn", "0100000 ????? ????? 111 ????? 0110011", andn),
    encoding("orn", "0100000 ????? ????? 110 ????? 0110011", orn),
    encoding("xnor", "0100000 ????? ????? 100 ????? 0110011", xnor),
    encoding("clz", "0110000 00000 ????? 001 ????? 0010011", clz),
    encoding("ctz", "0110000 00001 ????? 001 ????? 0010011", ctz),
    encoding("cpop", "0110000 00010 ????? 001 ????? 0010011", cpop),
    encoding("clzw", "0110000 00000 ????? 001 ????? 0011011", clzw),
    encoding("ctzw", "0110000 00001 ????? 001 ????? 0011011", ctzw),
    encoding("cpopw", "0110000 00010 ????? 001 ????? 0011011", cpopw),
    encoding("max", "0000101 ????? ????? 110 ????? 0110011", max),
    encoding("maxu", "0000101 ????? ????? 111 ????? 0110011", maxu),
    encoding("min", "0000101 ????? ????? 100 ????? 0110011", min),
    encoding("minu", "0000101 ????? ????? 101 ????? 0110011", minu),
    encoding("sext.b", "0110000 00100 ????? 001 ????? 0010011", sext_b),
    encoding("sext.h", "0110000 00101 ????? 001 ????? 0010011", sext_h),
    encoding("zext.h", "0000100 00000 ????? 100 ????? 0111011", zext_h),
    encoding("rol", "0110000 ????? ????? 001 ????? 0110011", rol),
    encoding("ror", "0110000 ????? ????? 101 ????? 0110011", ror),
    encoding("rori", "011000 ?????? ????? 101 ????? 0010011", rori),
    encoding("rolw", "0110000 ????? ????? 001 ????? 0111011", rolw),
    encoding("rorw", "0110000 ????? ????? 101 ????? 0111011", rorw),
    encoding("roriw", "0110000 ????? ????? 101 ????? 0011011", roriw),
    encoding("orc.b", "0010100 00111 ????? 101 ????? 0010011", orc_b),
    encoding("rev8", "0110101 11000 ????? 101 ????? 0010011", rev8),
};

constexpr Encoding kZbs[] = {
    encoding("bclr", "0100100 ????? ????? 001 ????? 0110011", bclr),
    encoding("bclri", "010010 ?????? ????? 001 ????? 0010011", bclri),
    encoding("bext", "0100100 ????? ????? 101 ????? 0110011", bext),
    encoding("bexti", "010010 ?????? ????? 101 ????? 0010011", bexti),
    encoding("binv", "0110100 ????? ????? 001 ????? 0110011", binv),
    encoding("binvi", "011010 ?????? ????? 001 ????? 0010011", binvi),
    encoding("bset", "0010100 ????? ????? 001 ????? 0110011", bset),
    encoding("bseti", "001010 ?????? ????? 001 ????? 0010011", bseti),
};

}  // namespace

std::span<const Encoding> zba_encodings() { return kZba; }
std::span<const Encoding> zbb_encodings() { return kZbb; }
std::span<const Encoding> zbs_encodings() { return kZbs; }

}  // namespace vessel::riscv
