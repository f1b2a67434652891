// RVC (RV64C): each 16-bit encoding is a row with an expander to its 32-bit equivalent,
// so compressed instructions share the 32-bit handlers. Reserved encodings expand to 0 (illegal).
#include <optional>

#include "cpu/riscv/decoder.h"

namespace vessel::riscv {
namespace {

// 32-bit instruction encoders.
constexpr uint32_t r_type(uint32_t f7, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t op) {
  return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
constexpr uint32_t i_type(int32_t imm, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t op) {
  return static_cast<uint32_t>(imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
constexpr uint32_t s_type(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t op) {
  const uint32_t u = static_cast<uint32_t>(imm);
  return (u >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u & 31) << 7 | op;
}
constexpr uint32_t b_type(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3) {
  const uint32_t u = static_cast<uint32_t>(imm);
  return (u >> 12 & 1) << 31 | (u >> 5 & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u >> 1 & 15) << 8 |
         (u >> 11 & 1) << 7 | 0x63;
}
constexpr uint32_t j_type(int32_t imm, uint32_t rd) {
  const uint32_t u = static_cast<uint32_t>(imm);
  return (u >> 20 & 1) << 31 | (u >> 1 & 0x3ff) << 21 | (u >> 11 & 1) << 20 | (u >> 12 & 0xff) << 12 | rd << 7 | 0x6f;
}

constexpr uint32_t kLoad = 0x03, kLoadFp = 0x07, kStore = 0x23, kStoreFp = 0x27, kOpImm = 0x13, kOpImm32 = 0x1b,
                   kOp = 0x33, kOp32 = 0x3b, kLui = 0x37, kJalr = 0x67, kSystem = 0x73;

// Compressed fields.
constexpr uint32_t b(uint16_t c, unsigned n) { return (c >> n) & 1; }
constexpr uint32_t f(uint16_t c, unsigned hi, unsigned lo) { return (c >> lo) & ((1u << (hi - lo + 1)) - 1); }
constexpr uint32_t rd_full(uint16_t c) { return f(c, 11, 7); }
constexpr uint32_t rs2_full(uint16_t c) { return f(c, 6, 2); }
constexpr uint32_t rd_prime(uint16_t c) { return 8 + f(c, 4, 2); }   // also rs2'
constexpr uint32_t rs1_prime(uint16_t c) { return 8 + f(c, 9, 7); }  // also rd'
constexpr int32_t sext(uint32_t v, unsigned bits) { return static_cast<int32_t>(v << (32 - bits)) >> (32 - bits); }
constexpr int32_t imm6(uint16_t c) { return sext(b(c, 12) << 5 | f(c, 6, 2), 6); }
constexpr uint32_t uimm_w(uint16_t c) { return f(c, 12, 10) << 3 | b(c, 6) << 2 | b(c, 5) << 6; }  // c.lw/c.sw
constexpr uint32_t uimm_d(uint16_t c) { return f(c, 12, 10) << 3 | f(c, 6, 5) << 6; }             // c.ld/c.sd/c.fld/c.fsd

using Expander = uint32_t (*)(uint16_t);
struct CompressedEncoding {
  const char* name;
  uint16_t mask;
  uint16_t match;
  Expander expand;
};

// Quadrant 0
uint32_t c_addi4spn(uint16_t c) {
  const uint32_t imm = f(c, 12, 11) << 4 | f(c, 10, 7) << 6 | b(c, 6) << 2 | b(c, 5) << 3;
  return imm ? i_type(static_cast<int32_t>(imm), 2, 0, rd_prime(c), kOpImm) : 0;
}
uint32_t c_fld(uint16_t c) { return i_type(static_cast<int32_t>(uimm_d(c)), rs1_prime(c), 3, rd_prime(c), kLoadFp); }
uint32_t c_lw(uint16_t c) { return i_type(static_cast<int32_t>(uimm_w(c)), rs1_prime(c), 2, rd_prime(c), kLoad); }
uint32_t c_ld(uint16_t c) { return i_type(static_cast<int32_t>(uimm_d(c)), rs1_prime(c), 3, rd_prime(c), kLoad); }
uint32_t c_fsd(uint16_t c) { return s_type(static_cast<int32_t>(uimm_d(c)), rd_prime(c), rs1_prime(c), 3, kStoreFp); }
uint32_t c_sw(uint16_t c) { return s_type(static_cast<int32_t>(uimm_w(c)), rd_prime(c), rs1_prime(c), 2, kStore); }
uint32_t c_sd(uint16_t c) { return s_type(static_cast<int32_t>(uimm_d(c)), rd_prime(c), rs1_prime(c), 3, kStore); }

// Quadrant 1
uint32_t c_addi(uint16_t c) { return i_type(imm6(c), rd_full(c), 0, rd_full(c), kOpImm); }
uint32_t c_addiw(uint16_t c) { return rd_full(c) ? i_type(imm6(c), rd_full(c), 0, rd_full(c), kOpImm32) : 0; }
uint32_t c_li(uint16_t c) { return i_type(imm6(c), 0, 0, rd_full(c), kOpImm); }
uint32_t c_lui_addi16sp(uint16_t c) {
  if (rd_full(c) == 2) {
    const int32_t imm = sext(b(c, 12) << 9 | b(c, 6) << 4 | b(c, 5) << 6 | f(c, 4, 3) << 7 | b(c, 2) << 5, 10);
    return imm ? i_type(imm, 2, 0, 2, kOpImm) : 0;
  }
  const int32_t imm = imm6(c);
  return imm ? (static_cast<uint32_t>(imm) << 12 | rd_full(c) << 7 | kLui) : 0;
}
uint32_t c_srli(uint16_t c) { return i_type(static_cast<int32_t>(b(c, 12) << 5 | f(c, 6, 2)), rs1_prime(c), 5, rs1_prime(c), kOpImm); }
uint32_t c_srai(uint16_t c) {
  return i_type(static_cast<int32_t>(0x400 | b(c, 12) << 5 | f(c, 6, 2)), rs1_prime(c), 5, rs1_prime(c), kOpImm);
}
uint32_t c_andi(uint16_t c) { return i_type(imm6(c), rs1_prime(c), 7, rs1_prime(c), kOpImm); }
uint32_t c_sub(uint16_t c) { return r_type(0x20, rd_prime(c), rs1_prime(c), 0, rs1_prime(c), kOp); }
uint32_t c_xor(uint16_t c) { return r_type(0, rd_prime(c), rs1_prime(c), 4, rs1_prime(c), kOp); }
uint32_t c_or(uint16_t c) { return r_type(0, rd_prime(c), rs1_prime(c), 6, rs1_prime(c), kOp); }
uint32_t c_and(uint16_t c) { return r_type(0, rd_prime(c), rs1_prime(c), 7, rs1_prime(c), kOp); }
uint32_t c_subw(uint16_t c) { return r_type(0x20, rd_prime(c), rs1_prime(c), 0, rs1_prime(c), kOp32); }
uint32_t c_addw(uint16_t c) { return r_type(0, rd_prime(c), rs1_prime(c), 0, rs1_prime(c), kOp32); }
uint32_t c_j(uint16_t c) {
  const int32_t imm = sext(b(c, 12) << 11 | b(c, 11) << 4 | f(c, 10, 9) << 8 | b(c, 8) << 10 | b(c, 7) << 6 |
                               b(c, 6) << 7 | f(c, 5, 3) << 1 | b(c, 2) << 5,
                           12);
  return j_type(imm, 0);
}
int32_t branch_offset(uint16_t c) {
  return sext(b(c, 12) << 8 | f(c, 11, 10) << 3 | f(c, 6, 5) << 6 | f(c, 4, 3) << 1 | b(c, 2) << 5, 9);
}
uint32_t c_beqz(uint16_t c) { return b_type(branch_offset(c), 0, rs1_prime(c), 0); }
uint32_t c_bnez(uint16_t c) { return b_type(branch_offset(c), 0, rs1_prime(c), 1); }

// Quadrant 2
uint32_t c_slli(uint16_t c) { return i_type(static_cast<int32_t>(b(c, 12) << 5 | f(c, 6, 2)), rd_full(c), 1, rd_full(c), kOpImm); }
uint32_t sp_offset_d(uint16_t c) { return b(c, 12) << 5 | f(c, 6, 5) << 3 | f(c, 4, 2) << 6; }
uint32_t sp_offset_w(uint16_t c) { return b(c, 12) << 5 | f(c, 6, 4) << 2 | f(c, 3, 2) << 6; }
uint32_t c_fldsp(uint16_t c) { return i_type(static_cast<int32_t>(sp_offset_d(c)), 2, 3, rd_full(c), kLoadFp); }
uint32_t c_lwsp(uint16_t c) { return rd_full(c) ? i_type(static_cast<int32_t>(sp_offset_w(c)), 2, 2, rd_full(c), kLoad) : 0; }
uint32_t c_ldsp(uint16_t c) { return rd_full(c) ? i_type(static_cast<int32_t>(sp_offset_d(c)), 2, 3, rd_full(c), kLoad) : 0; }
uint32_t c_jr_mv(uint16_t c) {
  if (rs2_full(c) == 0) return rd_full(c) ? i_type(0, rd_full(c), 0, 0, kJalr) : 0;  // c.jr
  return r_type(0, rs2_full(c), 0, 0, rd_full(c), kOp);                             // c.mv
}
uint32_t c_ebreak_jalr_add(uint16_t c) {
  if (rs2_full(c) == 0) {
    if (rd_full(c) == 0) return 0x00100000u | kSystem;  // c.ebreak
    return i_type(0, rd_full(c), 0, 1, kJalr);          // c.jalr
  }
  return r_type(0, rs2_full(c), rd_full(c), 0, rd_full(c), kOp);  // c.add
}
uint32_t sp_store_d(uint16_t c) { return f(c, 12, 10) << 3 | f(c, 9, 7) << 6; }
uint32_t sp_store_w(uint16_t c) { return f(c, 12, 9) << 2 | f(c, 8, 7) << 6; }
uint32_t c_fsdsp(uint16_t c) { return s_type(static_cast<int32_t>(sp_store_d(c)), rs2_full(c), 2, 3, kStoreFp); }
uint32_t c_swsp(uint16_t c) { return s_type(static_cast<int32_t>(sp_store_w(c)), rs2_full(c), 2, 2, kStore); }
uint32_t c_sdsp(uint16_t c) { return s_type(static_cast<int32_t>(sp_store_d(c)), rs2_full(c), 2, 3, kStore); }

// Zcb: byte and halfword loads and stores, unary operations and c.mul in RVC's reserved space.
uint32_t uimm_b(uint16_t c) { return b(c, 6) | b(c, 5) << 1; }  // c.lbu/c.sb: uimm[0|1] in bits 6:5
uint32_t uimm_h(uint16_t c) { return b(c, 5) << 1; }             // c.lhu/c.lh/c.sh
uint32_t c_lbu(uint16_t c) { return i_type(static_cast<int32_t>(uimm_b(c)), rs1_prime(c), 4, rd_prime(c), kLoad); }
uint32_t c_lhu(uint16_t c) { return i_type(static_cast<int32_t>(uimm_h(c)), rs1_prime(c), 5, rd_prime(c), kLoad); }
uint32_t c_lh(uint16_t c) { return i_type(static_cast<int32_t>(uimm_h(c)), rs1_prime(c), 1, rd_prime(c), kLoad); }
uint32_t c_sb(uint16_t c) { return s_type(static_cast<int32_t>(uimm_b(c)), rd_prime(c), rs1_prime(c), 0, kStore); }
uint32_t c_sh(uint16_t c) { return s_type(static_cast<int32_t>(uimm_h(c)), rd_prime(c), rs1_prime(c), 1, kStore); }
uint32_t c_zext_b(uint16_t c) { return i_type(0xff, rs1_prime(c), 7, rs1_prime(c), kOpImm); }
uint32_t c_sext_b(uint16_t c) { return i_type(0x604, rs1_prime(c), 1, rs1_prime(c), kOpImm); }
uint32_t c_zext_h(uint16_t c) { return r_type(0x04, 0, rs1_prime(c), 4, rs1_prime(c), kOp32); }
uint32_t c_sext_h(uint16_t c) { return i_type(0x605, rs1_prime(c), 1, rs1_prime(c), kOpImm); }
uint32_t c_zext_w(uint16_t c) { return r_type(0x04, 0, rs1_prime(c), 0, rs1_prime(c), kOp32); }  // add.uw rd, rd, x0
uint32_t c_not(uint16_t c) { return i_type(-1, rs1_prime(c), 4, rs1_prime(c), kOpImm); }
uint32_t c_mul(uint16_t c) { return r_type(0x01, rd_prime(c), rs1_prime(c), 0, rs1_prime(c), kOp); }
// Zcmop: c.mop.n (n odd, 1..15) sits where c.lui n, 0 is reserved, and writes no register.
uint32_t c_mop(uint16_t) { return i_type(0, 0, 0, 0, kOpImm); }

struct ExtensionEncoding {
  CompressedEncoding row;
  Ext ext;
  std::optional<Ext> needs;  // the extension of the 32-bit instruction it expands to
};
// Checked before the base table (they use its reserved encodings).
constexpr ExtensionEncoding kExtensionTable[] = {
    {{"c.lbu", 0xfc03, 0x8000, c_lbu}, Ext::Zcb, std::nullopt},
    {{"c.lhu", 0xfc43, 0x8400, c_lhu}, Ext::Zcb, std::nullopt},
    {{"c.lh", 0xfc43, 0x8440, c_lh}, Ext::Zcb, std::nullopt},
    {{"c.sb", 0xfc03, 0x8800, c_sb}, Ext::Zcb, std::nullopt},
    {{"c.sh", 0xfc43, 0x8c00, c_sh}, Ext::Zcb, std::nullopt},
    {{"c.zext.b", 0xfc7f, 0x9c61, c_zext_b}, Ext::Zcb, std::nullopt},
    {{"c.sext.b", 0xfc7f, 0x9c65, c_sext_b}, Ext::Zcb, Ext::Zbb},
    {{"c.zext.h", 0xfc7f, 0x9c69, c_zext_h}, Ext::Zcb, Ext::Zbb},
    {{"c.sext.h", 0xfc7f, 0x9c6d, c_sext_h}, Ext::Zcb, Ext::Zbb},
    {{"c.zext.w", 0xfc7f, 0x9c71, c_zext_w}, Ext::Zcb, Ext::Zba},
    {{"c.not", 0xfc7f, 0x9c75, c_not}, Ext::Zcb, std::nullopt},
    {{"c.mul", 0xfc63, 0x9c41, c_mul}, Ext::Zcb, std::nullopt},
    {{"c.mop.n", 0xf8ff, 0x6081, c_mop}, Ext::Zcmop, std::nullopt},
};

// mask/match over the 16 bits; first match wins.
constexpr CompressedEncoding kTable[] = {
    {"c.addi4spn", 0xe003, 0x0000, c_addi4spn},
    {"c.fld", 0xe003, 0x2000, c_fld},
    {"c.lw", 0xe003, 0x4000, c_lw},
    {"c.ld", 0xe003, 0x6000, c_ld},
    {"c.fsd", 0xe003, 0xa000, c_fsd},
    {"c.sw", 0xe003, 0xc000, c_sw},
    {"c.sd", 0xe003, 0xe000, c_sd},
    {"c.addi", 0xe003, 0x0001, c_addi},
    {"c.addiw", 0xe003, 0x2001, c_addiw},
    {"c.li", 0xe003, 0x4001, c_li},
    {"c.lui/c.addi16sp", 0xe003, 0x6001, c_lui_addi16sp},
    {"c.srli", 0xec03, 0x8001, c_srli},
    {"c.srai", 0xec03, 0x8401, c_srai},
    {"c.andi", 0xec03, 0x8801, c_andi},
    {"c.sub", 0xfc63, 0x8c01, c_sub},
    {"c.xor", 0xfc63, 0x8c21, c_xor},
    {"c.or", 0xfc63, 0x8c41, c_or},
    {"c.and", 0xfc63, 0x8c61, c_and},
    {"c.subw", 0xfc63, 0x9c01, c_subw},
    {"c.addw", 0xfc63, 0x9c21, c_addw},
    {"c.j", 0xe003, 0xa001, c_j},
    {"c.beqz", 0xe003, 0xc001, c_beqz},
    {"c.bnez", 0xe003, 0xe001, c_bnez},
    {"c.slli", 0xe003, 0x0002, c_slli},
    {"c.fldsp", 0xe003, 0x2002, c_fldsp},
    {"c.lwsp", 0xe003, 0x4002, c_lwsp},
    {"c.ldsp", 0xe003, 0x6002, c_ldsp},
    {"c.jr/c.mv", 0xf003, 0x8002, c_jr_mv},
    {"c.ebreak/c.jalr/c.add", 0xf003, 0x9002, c_ebreak_jalr_add},
    {"c.fsdsp", 0xe003, 0xa002, c_fsdsp},
    {"c.swsp", 0xe003, 0xc002, c_swsp},
    {"c.sdsp", 0xe003, 0xe002, c_sdsp},
};

}  // namespace

uint32_t expand_compressed(uint16_t insn, ExtSet ext) {
  for (const auto& e : kExtensionTable)
    if ((insn & e.row.mask) == e.row.match && ext.has(e.ext) && (!e.needs || ext.has(*e.needs)))
      return e.row.expand(insn);
  for (const auto& e : kTable)
    if ((insn & e.mask) == e.match) return e.expand(insn);
  return 0;
}

}  // namespace vessel::riscv
