// The memory operand a watchpoint checks, for the loads and stores of the extensions.
#include "gdb/memory_operand.h"

#include <gtest/gtest.h>

#include "common/timebase.h"

namespace vessel::gdb {
namespace {

class MemoryOperandTest : public ::testing::Test {
 protected:
  memory::AddressSpace as;
  Timebase timebase;
  riscv::Hart hart{as, timebase, 0};
};

TEST_F(MemoryOperandTest, ZcbLoadsAndStores) {
  hart.set_cpu(riscv::CpuProfile::Rva23);
  hart.x[8] = 0x1000;  // s0
  auto m = memory_operand(hart, 0x8044);  // c.lbu s1, 1(s0)
  ASSERT_TRUE(m);
  EXPECT_EQ(m->address, 0x1001u);
  EXPECT_EQ(m->size, 1u);
  EXPECT_TRUE(m->reads && !m->writes);
  m = memory_operand(hart, 0x8464);  // c.lh s1, 2(s0)
  ASSERT_TRUE(m);
  EXPECT_EQ(m->address, 0x1002u);
  EXPECT_EQ(m->size, 2u);
  m = memory_operand(hart, 0x8c24);  // c.sh s1, 2(s0)
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->writes && !m->reads);
  EXPECT_EQ(m->size, 2u);
  EXPECT_FALSE(memory_operand(hart, 0x8c64));  // reserved
  hart.set_cpu(riscv::CpuProfile::Rva22);      // without Zcb: not an instruction
  EXPECT_FALSE(memory_operand(hart, 0x8044));
}

TEST_F(MemoryOperandTest, HalfPrecisionAndCacheBlockZero) {
  hart.set_cpu(riscv::CpuProfile::Rva22);
  hart.x[10] = 0x2003;                    // a0
  auto m = memory_operand(hart, 0x00251587);  // flh fa1, 2(a0)
  ASSERT_TRUE(m);
  EXPECT_EQ(m->address, 0x2005u);
  EXPECT_EQ(m->size, 2u);
  m = memory_operand(hart, 0x0045200f);  // cbo.zero (a0)
  ASSERT_TRUE(m);
  EXPECT_EQ(m->address, 0x2000u);
  EXPECT_EQ(m->size, 64u);
  EXPECT_TRUE(m->writes && !m->reads);
  EXPECT_FALSE(memory_operand(hart, 0x0015200f));  // cbo.clean: no bytes change
}

}  // namespace
}  // namespace vessel::gdb
