// The encoding tables: structure (no overlaps), known instructions, and the RVC expander.
#include <gtest/gtest.h>

#include <string>

#include "cpu/riscv/decoder.h"

namespace vessel::riscv {
namespace {

std::string name_of(uint32_t insn) {
  const Encoding* e = Decoder::instance().find(insn);
  return e ? e->name : "illegal";
}

TEST(Decoder, TablesAreConsistentAndDisjoint) {
  std::vector<const Encoding*> all;
  for (const EncodingTable& table : encoding_tables())
    for (const Encoding& e : table.rows) all.push_back(&e);
  for (const Encoding* e : all) {
    EXPECT_EQ(e->match & ~e->mask, 0u) << e->name << ": match has bits outside the mask";
    EXPECT_EQ(e->match & 3, 3u) << e->name << ": 32-bit encodings end in 11";
    EXPECT_NE(e->handler, nullptr) << e->name;
  }
  // Two encodings overlap if some word matches both: they agree on every bit both fix.
  for (size_t i = 0; i < all.size(); ++i)
    for (size_t j = i + 1; j < all.size(); ++j) {
      const uint32_t common = all[i]->mask & all[j]->mask;
      EXPECT_NE((all[i]->match ^ all[j]->match) & common, 0u) << all[i]->name << " overlaps " << all[j]->name;
    }
}

TEST(Decoder, KnownInstructions) {
  EXPECT_EQ(name_of(0x00b50633), "add");       // add a2, a0, a1
  EXPECT_EQ(name_of(0x40b50633), "sub");       // sub a2, a0, a1
  EXPECT_EQ(name_of(0x02b50633), "mul");       // mul a2, a0, a1
  EXPECT_EQ(name_of(0x0005b503), "ld");        // ld a0, 0(a1)
  EXPECT_EQ(name_of(0x03f55513), "srli");      // srli a0, a0, 63
  EXPECT_EQ(name_of(0x43f55513), "srai");      // srai a0, a0, 63
  EXPECT_EQ(name_of(0x100525af), "lr.w");      // lr.w a1, (a0)
  EXPECT_EQ(name_of(0x0cb5352f), "amoswap.d"); // amoswap.d.aqrl a0, a1, (a0)
  EXPECT_EQ(name_of(0x02b57553), "fadd.d");    // fadd.d fa0, fa0, fa1 (dynamic rm)
  EXPECT_EQ(name_of(0x58057553), "fsqrt.s");   // fsqrt.s fa0, fa0
  EXPECT_EQ(name_of(0xc0102773), "csrrs");     // rdtime a4
  EXPECT_EQ(name_of(0x30200073), "mret");
  EXPECT_EQ(name_of(0x10200073), "sret");
  EXPECT_EQ(name_of(0x10500073), "wfi");
  EXPECT_EQ(name_of(0x12000073), "sfence.vma");
  EXPECT_EQ(name_of(0x0000100f), "fence.i");
  EXPECT_EQ(name_of(0x00000073), "ecall");
  EXPECT_EQ(name_of(0x00100073), "ebreak");
}

TEST(Decoder, IllegalEncodings) {
  EXPECT_EQ(name_of(0x00000000), "illegal");
  EXPECT_EQ(name_of(0xffffffff), "illegal");
  EXPECT_EQ(name_of(0x04b50633), "illegal");  // funct7 0000010 in OP
  EXPECT_EQ(name_of(0x0000700f), "illegal");  // MISC-MEM funct3 7
  EXPECT_EQ(name_of(0x30300073), "illegal");  // not a privileged instruction
  EXPECT_EQ(name_of(0x101525af), "illegal");  // lr.w with rs2 != 0
}

TEST(Compressed, ExpandsToTheEquivalent32BitInstruction) {
  const Decoder& d = Decoder::instance();
  EXPECT_EQ(d.expand(0x4501), 0x00000513u);  // c.li a0, 0 -> addi a0, x0, 0
  EXPECT_EQ(d.expand(0x0505), 0x00150513u);  // c.addi a0, 1
  EXPECT_EQ(d.expand(0x8082), 0x00008067u);  // c.jr ra -> jalr x0, 0(ra)
  EXPECT_EQ(d.expand(0x9002), 0x00100073u);  // c.ebreak
  EXPECT_EQ(d.expand(0x852e), 0x00b00533u);  // c.mv a0, a1 -> add a0, x0, a1
  EXPECT_EQ(d.expand(0x1141), 0xff010113u);  // c.addi sp, -16
  EXPECT_EQ(d.expand(0xe406), 0x00113423u);  // c.sdsp ra, 8(sp)
  EXPECT_EQ(d.expand(0x60a2), 0x00813083u);  // c.ldsp ra, 8(sp)
}

TEST(Compressed, ReservedEncodingsAreIllegal) {
  const Decoder& d = Decoder::for_cpu(CpuProfile::Rv64gc);
  EXPECT_EQ(d.expand(0x0000), 0u);  // all zero (c.addi4spn with imm 0)
  EXPECT_EQ(d.expand(0x6001), 0u);  // c.lui with imm 0
  EXPECT_EQ(d.expand(0x6101), 0u);  // c.addi16sp with imm 0
  EXPECT_EQ(d.expand(0x8002), 0u);  // c.jr x0
  EXPECT_EQ(d.expand(0x4002), 0u);  // c.lwsp x0
  EXPECT_EQ(d.expand(0x6002), 0u);  // c.ldsp x0
  EXPECT_EQ(d.expand(0x2001), 0u);  // c.addiw x0
  EXPECT_EQ(d.expand(0x9c41), 0u);  // reserved in the CA group
  EXPECT_EQ(d.expand(0x8000), 0u);  // quadrant 0 funct3 100 is reserved
}

std::string name_on(CpuProfile cpu, uint32_t insn) {
  const Encoding* e = Decoder::for_cpu(cpu).find(insn);
  return e ? e->name : "illegal";
}

TEST(Decoder, BitManipulationAndZicond) {
  EXPECT_EQ(name_of(0x20b54633), "sh2add");     // sh2add a2, a0, a1
  EXPECT_EQ(name_of(0x20b5663b), "sh3add.uw");  // sh3add.uw a2, a0, a1
  EXPECT_EQ(name_of(0x08b5063b), "add.uw");     // add.uw a2, a0, a1
  EXPECT_EQ(name_of(0x0835151b), "slli.uw");    // slli.uw a0, a0, 3
  EXPECT_EQ(name_of(0x60051513), "clz");        // clz a0, a0
  EXPECT_EQ(name_of(0x6005151b), "clzw");       // clzw a0, a0
  EXPECT_EQ(name_of(0x6b855513), "rev8");       // rev8 a0, a0
  EXPECT_EQ(name_of(0x28755513), "orc.b");      // orc.b a0, a0
  EXPECT_EQ(name_of(0x0805453b), "zext.h");     // zext.h a0, a0
  EXPECT_EQ(name_of(0x63f55513), "rori");       // rori a0, a0, 63
  EXPECT_EQ(name_of(0x48b51633), "bclr");       // bclr a2, a0, a1
  EXPECT_EQ(name_of(0x4bf55513), "bexti");      // bexti a0, a0, 63
  EXPECT_EQ(name_of(0x0eb55633), "czero.eqz");  // czero.eqz a2, a0, a1
  EXPECT_EQ(name_of(0x0eb57633), "czero.nez");  // czero.nez a2, a0, a1
}

TEST(Decoder, ZfaAndZfhmin) {
  EXPECT_EQ(name_of(0xf0100553), "fli.s");        // fli.s fa0, -1.0
  EXPECT_EQ(name_of(0xc2859553), "fcvtmod.w.d");  // fcvtmod.w.d a0, fa1, rtz
  EXPECT_EQ(name_of(0xc2858553), "illegal");      // fcvtmod.w.d needs rm = rtz
  EXPECT_EQ(name_of(0x28c5a553), "fminm.s");      // fminm.s fa0, fa1, fa2
  EXPECT_EQ(name_of(0xe4050553), "fmv.x.h");      // fmv.x.h a0, fa0
  EXPECT_EQ(name_on(CpuProfile::Rva22, 0xf0100553), "illegal");
  EXPECT_EQ(name_on(CpuProfile::Rva22, 0xe4050553), "fmv.x.h");
  EXPECT_EQ(name_on(CpuProfile::Rv64gc, 0xe4050553), "illegal");
}

TEST(Decoder, ProfilesChooseTheExtensions) {
  EXPECT_EQ(name_on(CpuProfile::Rv64gc, 0x60051513), "illegal");  // clz
  EXPECT_EQ(name_on(CpuProfile::Rv64gc, 0x20b54633), "illegal");  // sh2add
  EXPECT_EQ(name_on(CpuProfile::Rv64gc, 0x48b51633), "illegal");  // bclr
  EXPECT_EQ(name_on(CpuProfile::Rva22, 0x60051513), "clz");
  EXPECT_EQ(name_on(CpuProfile::Rva22, 0x0eb55633), "illegal");   // czero.eqz is RVA23
  EXPECT_EQ(name_on(CpuProfile::Rva23, 0x0eb55633), "czero.eqz");
  EXPECT_EQ(name_on(CpuProfile::Rv64gc, 0x00b50633), "add");
}

TEST(Compressed, Zcb) {
  const Decoder& d = Decoder::for_cpu(CpuProfile::Rva23);
  EXPECT_EQ(d.expand(0x8020), 0x00244403u);  // c.lbu s0, 2(s0): uimm[1] in bit 5
  EXPECT_EQ(d.expand(0x8040), 0x00144403u);  // c.lbu s0, 1(s0): uimm[0] in bit 6
  EXPECT_EQ(d.expand(0x8420), 0x00245403u);  // c.lhu s0, 2(s0)
  EXPECT_EQ(d.expand(0x8460), 0x00241403u);  // c.lh s0, 2(s0)
  EXPECT_EQ(d.expand(0x8844), 0x009400a3u);  // c.sb s1, 1(s0)
  EXPECT_EQ(d.expand(0x8c24), 0x00941123u);  // c.sh s1, 2(s0)
  EXPECT_EQ(d.expand(0x9d61), 0x0ff57513u);  // c.zext.b a0
  EXPECT_EQ(d.expand(0x9d65), 0x60451513u);  // c.sext.b a0
  EXPECT_EQ(d.expand(0x9d69), 0x0805453bu);  // c.zext.h a0
  EXPECT_EQ(d.expand(0x9d6d), 0x60551513u);  // c.sext.h a0
  EXPECT_EQ(d.expand(0x9d71), 0x0805053bu);  // c.zext.w a0 -> add.uw a0, a0, zero
  EXPECT_EQ(d.expand(0x9d75), 0xfff54513u);  // c.not a0 -> xori a0, a0, -1
  EXPECT_EQ(d.expand(0x9d4d), 0x02b50533u);  // c.mul a0, a1
  EXPECT_EQ(d.expand(0x8c64), 0u);           // c.sh with bit 6 set is reserved
  EXPECT_EQ(d.expand(0x9d79), 0u);           // unary op 110 is reserved
  // Without Zcb (RVA22) they stay reserved.
  EXPECT_EQ(Decoder::for_cpu(CpuProfile::Rva22).expand(0x9d4d), 0u);
  EXPECT_EQ(Decoder::for_cpu(CpuProfile::Rva22).expand(0x8040), 0u);
}

TEST(Compressed, Zcmop) {
  const Decoder& d = Decoder::for_cpu(CpuProfile::Rva23);
  for (uint16_t n = 1; n < 16; n += 2) EXPECT_EQ(d.expand(static_cast<uint16_t>(0x6001 | n << 7)), 0x13u) << n;
  EXPECT_NE(d.expand(0x6101), 0x13u);  // c.addi16sp (rd 2) is not a mop
  EXPECT_EQ(d.expand(0x6201), 0u);     // c.lui x4, 0: still reserved
  EXPECT_EQ(Decoder::for_cpu(CpuProfile::Rva22).expand(0x6081), 0u);
}

}  // namespace
}  // namespace vessel::riscv
