// RawImage and format detection.
#include <gtest/gtest.h>

#include <thread>

#include "storage/open_disk.h"
#include "storage/qcow2_create.h"
#include "storage/raw_image.h"
#include "storage_test_util.h"

namespace vessel::storage {
namespace {

using test::pattern;
using test::TempDir;

TEST(RawImage, ReadsWhatWasWritten) {
  TempDir dir;
  ASSERT_TRUE(RawImage::create(dir.file("d.img"), 1 << 20));
  auto disk = open_disk(dir.file("d.img"), std::nullopt, false);
  ASSERT_TRUE(disk) << disk.error();
  EXPECT_EQ(disk.value()->format(), DiskFormat::Raw);
  EXPECT_EQ(disk.value()->size(), 1u << 20);
  const auto data = pattern(1, 1234, 5000);
  ASSERT_TRUE(disk.value()->write(1234, data.data(), data.size()).ok());
  ASSERT_TRUE(disk.value()->flush().ok());
  std::vector<uint8_t> back(5000);
  ASSERT_TRUE(disk.value()->read(1234, back.data(), back.size()).ok());
  EXPECT_EQ(back, data);
}

TEST(RawImage, RequestsPastTheEndFail) {
  TempDir dir;
  ASSERT_TRUE(RawImage::create(dir.file("d.img"), 4096));
  auto disk = open_disk(dir.file("d.img"), DiskFormat::Raw, false);
  ASSERT_TRUE(disk);
  uint8_t buf[16] = {};
  EXPECT_EQ(disk.value()->read(4090, buf, 16).code, IoCode::OutOfRange);
  EXPECT_EQ(disk.value()->write(4096, buf, 1).code, IoCode::OutOfRange);
  EXPECT_EQ(disk.value()->read(UINT64_MAX - 4, buf, 16).code, IoCode::OutOfRange);
  EXPECT_EQ(disk.value()->discard(0, 8192).code, IoCode::OutOfRange);
  EXPECT_TRUE(disk.value()->read(4080, buf, 16).ok());
}

TEST(RawImage, ReadOnlyRefusesWrites) {
  TempDir dir;
  ASSERT_TRUE(RawImage::create(dir.file("d.img"), 4096));
  auto disk = open_disk(dir.file("d.img"), std::nullopt, true);
  ASSERT_TRUE(disk);
  EXPECT_TRUE(disk.value()->read_only());
  uint8_t buf[16] = {};
  EXPECT_EQ(disk.value()->write(0, buf, 16).code, IoCode::ReadOnly);
  EXPECT_EQ(disk.value()->write_zeroes(0, 16, true).code, IoCode::ReadOnly);
}

TEST(RawImage, DiscardAndWriteZeroesReadBackAsZeros) {
  TempDir dir;
  ASSERT_TRUE(RawImage::create(dir.file("d.img"), 1 << 20));
  auto disk = open_disk(dir.file("d.img"), std::nullopt, false);
  ASSERT_TRUE(disk);
  const auto data = pattern(2, 0, 1 << 20);
  ASSERT_TRUE(disk.value()->write(0, data.data(), data.size()).ok());
  ASSERT_TRUE(disk.value()->write_zeroes(1000, 70000, true).ok());
  ASSERT_TRUE(disk.value()->write_zeroes(200000, 5000, false).ok());
  ASSERT_TRUE(disk.value()->discard(524288, 65536).ok());
  auto all = test::read_all(*disk.value());
  auto expect = data;
  std::fill(expect.begin() + 1000, expect.begin() + 71000, 0);
  std::fill(expect.begin() + 200000, expect.begin() + 205000, 0);
  // Discarded data is unspecified; punched holes read as zeros on Linux file systems.
  std::copy(all.begin() + 524288, all.begin() + 589824, expect.begin() + 524288);
  EXPECT_EQ(all, expect);
}

TEST(RawImage, ConcurrentRequestsFromManyThreads) {
  TempDir dir;
  constexpr uint64_t kChunk = 65536;
  ASSERT_TRUE(RawImage::create(dir.file("d.img"), 8 * kChunk));
  auto disk = open_disk(dir.file("d.img"), std::nullopt, false);
  ASSERT_TRUE(disk);
  std::vector<std::thread> threads;
  for (uint64_t t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const auto d = pattern(t, t * kChunk, kChunk);
        EXPECT_TRUE(disk.value()->write(t * kChunk, d.data(), kChunk).ok());
        std::vector<uint8_t> back(kChunk);
        EXPECT_TRUE(disk.value()->read(t * kChunk, back.data(), kChunk).ok());
        EXPECT_EQ(back, d);
      }
    });
  for (auto& th : threads) th.join();
}

TEST(OpenDisk, DetectsFormatFromTheHeader) {
  TempDir dir;
  qcow2::CreateOptions o;
  o.size = 1 << 20;
  ASSERT_TRUE(qcow2::create_image(dir.file("q"), o));
  ASSERT_TRUE(RawImage::create(dir.file("r"), 1 << 20));
  auto q = open_disk(dir.file("q"), std::nullopt, true);
  ASSERT_TRUE(q) << q.error();
  EXPECT_EQ(q.value()->format(), DiskFormat::Qcow2);
  EXPECT_EQ(q.value()->size(), 1u << 20);
  auto r = open_disk(dir.file("r"), std::nullopt, true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value()->format(), DiskFormat::Raw);
  // A qcow2 file may be used as a raw disk on request, but a raw file is never qcow2.
  auto forced_raw = open_disk(dir.file("q"), DiskFormat::Raw, true);
  ASSERT_TRUE(forced_raw);
  EXPECT_EQ(forced_raw.value()->format(), DiskFormat::Raw);
  auto bad = open_disk(dir.file("r"), DiskFormat::Qcow2, true);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("not a qcow2 image"), std::string::npos) << bad.error();
  auto missing = open_disk(dir.file("nope"), std::nullopt, true);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("No such file"), std::string::npos) << missing.error();
}

}  // namespace
}  // namespace vessel::storage
