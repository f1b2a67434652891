// BlockMap against std::unordered_map under random lookups, inserts and erases with many collisions.
#include <random>
#include <unordered_map>
#include <vector>

#include <gtest/gtest.h>

#include "jit/block_map.h"

namespace vessel::jit {
namespace {

TEST(BlockMap, AgreesWithAReferenceMapUnderRandomInsertsAndErases) {
  BlockMap map;
  std::unordered_map<uint64_t, Block*> reference;  // pc -> block
  std::vector<Block> blocks(8);
  std::mt19937_64 rng(7);
  // Few distinct keys, so probe runs form, entries wrap around the table and erases shift.
  auto key_of = [](uint64_t pc) { return BlockKey{reinterpret_cast<const uint8_t*>(0x10000 + pc), pc, 1}; };
  for (int step = 0; step < 200000; ++step) {
    const uint64_t pc = (rng() % 6000) * 2;
    if (rng() % 3 == 0) {
      map.erase(key_of(pc));
      reference.erase(pc);
    } else if (rng() % 2 == 0) {  // a lookup that inserts nothing
      const auto known = reference.find(pc);
      ASSERT_EQ(map.find(key_of(pc)), known == reference.end() ? nullptr : known->second) << "step " << step;
    } else {
      BlockMap::Entry& e = map.find_or_insert(key_of(pc));
      ASSERT_EQ(e.block, reference[pc]) << "step " << step << " pc " << pc;
      e.block = reference[pc] = &blocks[rng() % blocks.size()];
    }
  }
  for (const auto& [pc, block] : reference) EXPECT_EQ(map.find_or_insert(key_of(pc)).block, block);
}

TEST(BlockMap, KeysDifferingOnlyInContextOrHostAddressAreDistinct) {
  BlockMap map;
  Block one, two, three;
  const auto* a = reinterpret_cast<const uint8_t*>(0x1000);
  const auto* b = reinterpret_cast<const uint8_t*>(0x2000);
  map.find_or_insert({a, 0x80000000, 0}).block = &one;
  map.find_or_insert({a, 0x80000000, 5}).block = &two;
  map.find_or_insert({b, 0x80000000, 0}).block = &three;
  EXPECT_EQ(map.find_or_insert({a, 0x80000000, 0}).block, &one);
  EXPECT_EQ(map.find_or_insert({a, 0x80000000, 5}).block, &two);
  EXPECT_EQ(map.find_or_insert({b, 0x80000000, 0}).block, &three);
  map.release();
  EXPECT_EQ(map.find_or_insert({a, 0x80000000, 0}).block, nullptr);
}

}  // namespace
}  // namespace vessel::jit
