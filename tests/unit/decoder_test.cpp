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
  for (auto table : {rv64i_encodings(), rv64m_encodings(), rv64a_encodings(), rv64f_encodings(), rv64d_encodings(),
                     system_encodings()})
    for (const Encoding& e : table) all.push_back(&e);
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
  const Decoder& d = Decoder::instance();
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

}  // namespace
}  // namespace vessel::riscv
