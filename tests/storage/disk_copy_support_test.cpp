// What a live migration with disk copy relies on in the storage layer: DiskImage::allocated
// (raw: holes from the file system; qcow2: only the top image's clusters, zero clusters
// included because they hide the backing file) and DirtyBlocks (marks, harvest, clear).
#include <gtest/gtest.h>

#include "storage/dirty_blocks.h"
#include "storage/open_disk.h"
#include "storage/qcow2_create.h"
#include "storage/raw_image.h"
#include "storage_test_util.h"

namespace vessel::storage {
namespace {

using test::TempDir;

bool allocated(DiskImage& d, uint64_t offset, uint64_t len) {
  bool out = false;
  EXPECT_TRUE(d.allocated(offset, len, &out).ok());
  return out;
}

TEST(DiskCopySupport, RawHolesAreNotAllocated) {
  TempDir dir;
  const std::string path = dir.file("d.raw");
  ASSERT_TRUE(RawImage::create(path, 8 << 20));
  auto d = open_disk(path, DiskFormat::Raw, false);
  ASSERT_TRUE(d);
  const auto data = test::pattern(1, 0, 4096);
  ASSERT_TRUE(d.value()->write(4 << 20, data.data(), data.size()).ok());
  EXPECT_FALSE(allocated(*d.value(), 0, 1 << 20));
  EXPECT_TRUE(allocated(*d.value(), 4 << 20, 65536));
  EXPECT_TRUE(allocated(*d.value(), (4 << 20) - 65536, 2 * 65536));
  EXPECT_FALSE(allocated(*d.value(), 6 << 20, 1 << 20));
  bool out;
  EXPECT_FALSE(d.value()->allocated(8 << 20, 1, &out).ok()) << "past the end";
}

TEST(DiskCopySupport, Qcow2CountsOnlyTheTopImage) {
  TempDir dir;
  const std::string base = dir.file("base.raw"), top = dir.file("top.qcow2");
  ASSERT_TRUE(RawImage::create(base, 4 << 20));
  {
    auto b = open_disk(base, DiskFormat::Raw, false);
    ASSERT_TRUE(b);
    const auto data = test::pattern(2, 0, 1 << 20);
    ASSERT_TRUE(b.value()->write(0, data.data(), data.size()).ok());
  }
  qcow2::CreateOptions o;
  o.size = 4 << 20;
  o.backing_file = "base.raw";
  o.backing_format = "raw";
  ASSERT_TRUE(qcow2::create_image(top, o));
  auto t = open_disk(top, std::nullopt, false);
  ASSERT_TRUE(t);
  EXPECT_FALSE(allocated(*t.value(), 0, 4 << 20)) << "the backing file's data is not the top's";
  const auto data = test::pattern(3, 0, 512);
  ASSERT_TRUE(t.value()->write(2 << 20, data.data(), data.size()).ok());
  ASSERT_TRUE(t.value()->write_zeroes(0, 65536, true).ok());
  EXPECT_TRUE(allocated(*t.value(), 2 << 20, 1));
  EXPECT_TRUE(allocated(*t.value(), 0, 65536)) << "a zero cluster hides the backing file: it must travel";
  EXPECT_FALSE(allocated(*t.value(), 65536, 65536));
}

TEST(DiskCopySupport, DirtyBlocksHarvestAndClear) {
  DirtyBlocks b(1 << 20, 65536);
  EXPECT_EQ(b.blocks(), 16u);
  b.mark(65535, 2);          // straddles blocks 0 and 1
  b.mark(15 * 65536, 4096);  // the last block
  b.mark(3 << 20, 1);        // past the end: ignored
  std::vector<uint64_t> got;
  b.harvest(got);
  EXPECT_EQ(got, (std::vector<uint64_t>{0, 1, 15}));
  got.clear();
  b.harvest(got);
  EXPECT_TRUE(got.empty()) << "a harvest clears";
  b.mark(0, 1 << 20);
  b.clear();
  b.harvest(got);
  EXPECT_TRUE(got.empty());
}

}  // namespace
}  // namespace vessel::storage
