// The page-table walker: Sv39/Sv48/Sv57 leaves at every level, permission rules, A/D
// updates and the faults a guest sees.
#include <gtest/gtest.h>

#include "common/timebase.h"
#include "cpu/riscv/hart.h"

namespace vessel::riscv {
namespace {

constexpr uint64_t kRam = 0x80000000, kV = 1, kR = 2, kW = 4, kX = 8, kU = 16, kA = 64, kD = 128;
using WR = Hart::WalkResult;

class Walker : public ::testing::Test {
 protected:
  Walker() {
    EXPECT_TRUE(as_.ram().map(kRam, 64 << 20).empty());
    hart_ = std::make_unique<Hart>(as_, tb_, 0);
    hart_->priv = Priv::Supervisor;
  }
  uint64_t alloc_table() {
    const uint64_t t = next_table_;
    next_table_ += 4096;
    return t;
  }
  void write_pte(uint64_t table, unsigned index, uint64_t pte) { ASSERT_TRUE(as_.write(table + index * 8, 8, pte)); }
  uint64_t read_pte(uint64_t table, unsigned index) {
    uint64_t v = 0;
    EXPECT_TRUE(as_.read(table + index * 8, 8, v));
    return v;
  }
  static uint64_t leaf(uint64_t paddr, uint64_t flags) { return ((paddr >> 12) << 10) | flags | kV; }
  static uint64_t pointer(uint64_t table) { return ((table >> 12) << 10) | kV; }
  // Builds a path of `levels` tables for vaddr ending in a leaf at `leaf_level` (0 = 4 KiB).
  uint64_t map(unsigned levels, uint64_t vaddr, unsigned leaf_level, uint64_t leaf_pte) {
    const uint64_t root = alloc_table();
    uint64_t table = root;
    for (int level = static_cast<int>(levels) - 1; level > static_cast<int>(leaf_level); --level) {
      const uint64_t next = alloc_table();
      write_pte(table, (vaddr >> (12 + 9 * level)) & 511, pointer(next));
      table = next;
    }
    write_pte(table, (vaddr >> (12 + 9 * leaf_level)) & 511, leaf_pte);
    last_leaf_table_ = table;
    last_leaf_index_ = (vaddr >> (12 + 9 * leaf_level)) & 511;
    return root;
  }
  void use(unsigned mode, uint64_t root) { hart_->csr.satp = (uint64_t{mode} << 60) | (root >> 12); }
  WR walk(uint64_t vaddr, Access a, uint64_t& paddr) { return hart_->translate(vaddr, a, hart_->priv, paddr); }

  memory::AddressSpace as_;
  Timebase tb_;
  std::unique_ptr<Hart> hart_;
  uint64_t next_table_ = kRam + (32 << 20);
  uint64_t last_leaf_table_ = 0;
  unsigned last_leaf_index_ = 0;
};

TEST_F(Walker, BareModeIsIdentity) {
  uint64_t pa;
  EXPECT_EQ(walk(0x1234567, Access::Load, pa), WR::Ok);
  EXPECT_EQ(pa, 0x1234567u);
}

TEST_F(Walker, FourKibPagesInEveryMode) {
  const struct { unsigned mode, levels; uint64_t vaddr; } cases[] = {
      {8, 3, 0x0000003fc0201000ull}, {9, 4, 0x00007fc040201000ull}, {10, 5, 0x00ffc04020100000ull}};
  for (const auto& c : cases) {
    const uint64_t root = map(c.levels, c.vaddr, 0, leaf(kRam + 0x5000, kR | kW | kA | kD));
    use(c.mode, root);
    uint64_t pa;
    EXPECT_EQ(walk(c.vaddr + 0x123, Access::Load, pa), WR::Ok) << "mode " << c.mode;
    EXPECT_EQ(pa, kRam + 0x5123) << "mode " << c.mode;
  }
}

TEST_F(Walker, SuperpagesKeepTheLowVirtualBits) {
  const uint64_t va = 0x40000000ull + 0x12345678;  // inside the second GiB
  use(8, map(3, va, 2, leaf(kRam, kR | kA)));      // 1 GiB page at RAM
  uint64_t pa;
  EXPECT_EQ(walk(va, Access::Load, pa), WR::Ok);
  EXPECT_EQ(pa, kRam + 0x12345678);
  use(8, map(3, va, 1, leaf(kRam + 0x200000, kR | kA)));  // 2 MiB page
  EXPECT_EQ(walk(va, Access::Load, pa), WR::Ok);
  EXPECT_EQ(pa, kRam + 0x200000 + (va & 0x1fffff));
}

TEST_F(Walker, MisalignedSuperpageFaults) {
  use(8, map(3, 0x200000, 1, leaf(kRam + 0x1000, kR | kA)));  // 2 MiB leaf, ppn[0] != 0
  uint64_t pa;
  EXPECT_EQ(walk(0x200000, Access::Load, pa), WR::PageFault);
}

TEST_F(Walker, PermissionChecks) {
  uint64_t pa;
  use(8, map(3, 0x1000, 0, leaf(kRam, kR | kA | kD)));
  EXPECT_EQ(walk(0x1000, Access::Load, pa), WR::Ok);
  EXPECT_EQ(walk(0x1000, Access::Store, pa), WR::PageFault);  // no W
  EXPECT_EQ(walk(0x1000, Access::Fetch, pa), WR::PageFault);  // no X

  use(8, map(3, 0x1000, 0, leaf(kRam, kW | kA | kD)));  // W without R is reserved
  EXPECT_EQ(walk(0x1000, Access::Store, pa), WR::PageFault);

  use(8, map(3, 0x1000, 0, leaf(kRam, kX | kA)));  // execute-only: readable only with MXR
  EXPECT_EQ(walk(0x1000, Access::Load, pa), WR::PageFault);
  hart_->csr.mstatus |= mstatus::kMXR;
  EXPECT_EQ(walk(0x1000, Access::Load, pa), WR::Ok);
}

TEST_F(Walker, UserPagesAndSum) {
  uint64_t pa;
  use(8, map(3, 0x1000, 0, leaf(kRam, kR | kW | kX | kU | kA | kD)));
  EXPECT_EQ(walk(0x1000, Access::Load, pa), WR::PageFault);  // S touching U without SUM
  hart_->csr.mstatus |= mstatus::kSUM;
  EXPECT_EQ(walk(0x1000, Access::Load, pa), WR::Ok);
  EXPECT_EQ(walk(0x1000, Access::Fetch, pa), WR::PageFault);  // S never executes U pages
  hart_->priv = Priv::User;
  EXPECT_EQ(walk(0x1000, Access::Fetch, pa), WR::Ok);
  use(8, map(3, 0x1000, 0, leaf(kRam, kR | kA)));  // supervisor page
  EXPECT_EQ(walk(0x1000, Access::Load, pa), WR::PageFault);
}

TEST_F(Walker, AccessedAndDirtyBitsAreSet) {
  uint64_t pa;
  use(8, map(3, 0x1000, 0, leaf(kRam, kR | kW)));
  EXPECT_EQ(walk(0x1000, Access::Load, pa), WR::Ok);
  EXPECT_EQ(read_pte(last_leaf_table_, last_leaf_index_) & (kA | kD), kA);
  EXPECT_EQ(walk(0x1000, Access::Store, pa), WR::Ok);
  EXPECT_EQ(read_pte(last_leaf_table_, last_leaf_index_) & (kA | kD), kA | kD);
}

TEST_F(Walker, InvalidAndReservedPtesFault) {
  uint64_t pa;
  use(8, map(3, 0x1000, 0, leaf(kRam, kR | kA) & ~kV));
  EXPECT_EQ(walk(0x1000, Access::Load, pa), WR::PageFault);
  use(8, map(3, 0x1000, 0, leaf(kRam, kR | kA) | (1ull << 62)));  // PBMT bits without Svpbmt
  EXPECT_EQ(walk(0x1000, Access::Load, pa), WR::PageFault);
  use(8, map(3, 0x1000, 0, pointer(kRam + 0x7000)));  // a pointer at level 0
  EXPECT_EQ(walk(0x1000, Access::Load, pa), WR::PageFault);
}

TEST_F(Walker, NonCanonicalAddressesFault) {
  uint64_t pa;
  use(8, map(3, 0x1000, 0, leaf(kRam, kR | kA)));
  EXPECT_EQ(walk(0x0000008000001000ull, Access::Load, pa), WR::PageFault);  // bit 39 set, bits above clear
}

TEST_F(Walker, PageTableOutsideRamIsAnAccessFault) {
  uint64_t pa;
  hart_->csr.satp = (8ull << 60) | (0x10000000ull >> 12);  // root table in MMIO space
  EXPECT_EQ(walk(0x1000, Access::Load, pa), WR::AccessFault);
}

}  // namespace
}  // namespace vessel::riscv
