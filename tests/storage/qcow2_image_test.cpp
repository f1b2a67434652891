// Qcow2Image behaviour with images Vessel creates: allocation, copy-on-write over backing
// chains, refcount table growth, discard/write-zeroes, concurrency, the checker.
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "storage/open_disk.h"
#include "storage/qcow2_check.h"
#include "storage/qcow2_create.h"
#include "storage/raw_image.h"
#include "storage_test_util.h"

namespace vessel::storage {
namespace {

using test::pattern;
using test::TempDir;

void create(const std::string& path, uint64_t size, const std::string& backing, const std::string& backing_fmt) {
  qcow2::CreateOptions o;
  o.size = size;
  o.backing_file = backing;
  o.backing_format = backing_fmt;
  ASSERT_TRUE(qcow2::create_image(path, o));
}

std::unique_ptr<DiskImage> make(const std::string& path, uint64_t size, uint32_t cluster = 65536,
                                uint32_t version = 3, const std::string& backing = "",
                                const std::string& backing_fmt = "", uint32_t refcount_bits = 16) {
  qcow2::CreateOptions o;
  o.size = size;
  o.cluster_size = cluster;
  o.version = version;
  o.backing_file = backing;
  o.backing_format = backing_fmt;
  o.refcount_bits = refcount_bits;
  auto created = qcow2::create_image(path, o);
  EXPECT_TRUE(created) << created.error();
  auto disk = open_disk(path, DiskFormat::Qcow2, false);
  EXPECT_TRUE(disk) << disk.error();
  return disk ? std::move(disk.value()) : nullptr;
}

void expect_clean(const std::string& path) {
  auto r = qcow2::check_image(path);
  ASSERT_TRUE(r) << r.error();
  std::string all;
  for (const auto& m : r->messages) all += m + "\n";
  EXPECT_EQ(r->corruptions, 0u) << all;
  EXPECT_EQ(r->leaks, 0u) << all;
  EXPECT_EQ(r->check_errors, 0u) << all;
  if (test::have_qemu_img()) {
    auto q = test::run("qemu-img check " + test::quote(path));
    EXPECT_EQ(q.status, 0) << q.output;
  }
}

std::vector<uint8_t> reopen_and_read(const std::string& path) {
  auto disk = open_disk(path, std::nullopt, true);
  EXPECT_TRUE(disk) << disk.error();
  return disk ? test::read_all(*disk.value()) : std::vector<uint8_t>{};
}

TEST(Qcow2Image, FreshImageReadsZeros) {
  TempDir dir;
  auto disk = make(dir.file("a.qcow2"), 3 << 20);
  ASSERT_TRUE(disk);
  EXPECT_EQ(test::read_all(*disk), std::vector<uint8_t>(3 << 20, 0));
}

TEST(Qcow2Image, AllocatesOnWriteAndPersists) {
  for (uint32_t version : {2u, 3u}) {
    TempDir dir;
    const std::string path = dir.file("a.qcow2");
    std::vector<uint8_t> model(8 << 20, 0);
    {
      auto disk = make(path, model.size(), 65536, version);
      ASSERT_TRUE(disk);
      ASSERT_TRUE(test::random_workload(*disk, model, 7 + version, 200));
      EXPECT_EQ(test::read_all(*disk), model);
      ASSERT_TRUE(disk->flush().ok());
    }
    EXPECT_EQ(reopen_and_read(path), model) << "version " << version;
    expect_clean(path);
  }
}

TEST(Qcow2Image, SmallClustersGrowTheRefcountTable) {
  // 512-byte clusters: a refcount block covers 256 clusters and the table's first cluster only
  // 64 blocks (8 MiB), so writing 40 MiB makes the table move, several times.
  TempDir dir;
  const std::string path = dir.file("small.qcow2");
  std::vector<uint8_t> model(40 << 20, 0);
  {
    auto disk = make(path, model.size(), 512);
    ASSERT_TRUE(disk);
    const auto data = pattern(3, 0, model.size());
    for (uint64_t off = 0; off < model.size(); off += 1 << 20)
      ASSERT_TRUE(disk->write(off, data.data() + off, 1 << 20).ok());
    model = data;
    ASSERT_TRUE(disk->flush().ok());
  }
  EXPECT_EQ(reopen_and_read(path), model);
  expect_clean(path);
}

TEST(Qcow2Image, AllRefcountWidths) {
  for (uint32_t bits : {1u, 2u, 4u, 8u, 16u, 32u, 64u}) {
    TempDir dir;
    const std::string path = dir.file("rc.qcow2");
    std::vector<uint8_t> model(4 << 20, 0);
    {
      auto disk = make(path, model.size(), 4096, 3, "", "", bits);
      ASSERT_TRUE(disk);
      ASSERT_TRUE(test::random_workload(*disk, model, bits, 60));
    }
    EXPECT_EQ(reopen_and_read(path), model) << bits << " refcount bits";
    expect_clean(path);
  }
}

TEST(Qcow2Image, CopyOnWriteOverABackingChainOfDepthThree) {
  TempDir dir;
  constexpr uint64_t kSize = 4 << 20;
  // base.raw (3 MiB: shorter than the overlays) <- mid.qcow2 <- top.qcow2 <- leaf.qcow2
  std::vector<uint8_t> model = pattern(10, 0, 3 << 20);
  test::write_file(dir.file("base.raw"), model);
  model.resize(kSize, 0);
  {
    auto mid = make(dir.file("mid.qcow2"), kSize, 65536, 3, "base.raw", "raw");
    ASSERT_TRUE(mid);
    ASSERT_TRUE(test::random_workload(*mid, model, 11, 30, 100000));
  }
  {
    auto top = make(dir.file("top.qcow2"), kSize, 4096, 2, "mid.qcow2", "");
    ASSERT_TRUE(top);
    ASSERT_TRUE(test::random_workload(*top, model, 12, 30, 100000));
  }
  const auto top_content = model;
  {
    auto leaf = make(dir.file("leaf.qcow2"), kSize, 65536, 3, "top.qcow2", "qcow2");
    ASSERT_TRUE(leaf);
    EXPECT_EQ(test::read_all(*leaf), model);
    // Small writes in the middle of clusters copy the rest from three levels down.
    for (uint64_t off : {100ull, 70000ull, (3ull << 20) - 10, (4ull << 20) - 100}) {
      const auto d = pattern(13, off, 50);
      ASSERT_TRUE(leaf->write(off, d.data(), d.size()).ok());
      std::copy(d.begin(), d.end(), model.begin() + static_cast<long>(off));
    }
    ASSERT_TRUE(test::random_workload(*leaf, model, 14, 40, 100000));
    EXPECT_EQ(test::read_all(*leaf), model);
    ASSERT_NE(leaf->backing(), nullptr);
    ASSERT_NE(leaf->backing()->backing(), nullptr);
    ASSERT_NE(leaf->backing()->backing()->backing(), nullptr);
    EXPECT_EQ(leaf->backing()->backing()->backing()->format(), DiskFormat::Raw);
  }
  EXPECT_EQ(reopen_and_read(dir.file("leaf.qcow2")), model);
  EXPECT_EQ(reopen_and_read(dir.file("top.qcow2")), top_content);  // backing files untouched
  for (const char* f : {"mid.qcow2", "top.qcow2", "leaf.qcow2"}) expect_clean(dir.file(f));
}

TEST(Qcow2Image, RelativeBackingPathsResolveAgainstTheImageDirectory) {
  TempDir dir;
  test::run("mkdir -p " + test::quote(dir.file("sub/deeper")));
  test::write_file(dir.file("sub/base.raw"), pattern(20, 0, 65536));
  make(dir.file("sub/deeper/over.qcow2"), 65536, 65536, 3, "../base.raw", "raw");
  // Opened from another working directory, by a path with directories in it.
  auto disk = open_disk(dir.file("sub/deeper/over.qcow2"), std::nullopt, true);
  ASSERT_TRUE(disk) << disk.error();
  EXPECT_EQ(test::read_all(*disk.value()), pattern(20, 0, 65536));
  EXPECT_EQ(disk.value()->info().backing_path, dir.file("sub/deeper/../base.raw"));
}

TEST(Qcow2Image, MissingBackingFileIsAClearError) {
  TempDir dir;
  create(dir.file("o.qcow2"), 65536, "gone.raw", "raw");
  auto disk = open_disk(dir.file("o.qcow2"), std::nullopt, true);
  ASSERT_FALSE(disk);
  EXPECT_NE(disk.error().find("backing file"), std::string::npos) << disk.error();
  EXPECT_NE(disk.error().find("gone.raw"), std::string::npos) << disk.error();
}

TEST(Qcow2Image, BackingLoopIsRefused) {
  TempDir dir;
  create(dir.file("a.qcow2"), 65536, "b.qcow2", "qcow2");
  create(dir.file("b.qcow2"), 65536, "a.qcow2", "qcow2");
  auto disk = open_disk(dir.file("a.qcow2"), std::nullopt, true);
  ASSERT_FALSE(disk);
  EXPECT_NE(disk.error().find("loop"), std::string::npos) << disk.error();
}

TEST(Qcow2Image, RequestsPastTheEndFail) {
  TempDir dir;
  auto disk = make(dir.file("a.qcow2"), 1 << 20);
  ASSERT_TRUE(disk);
  uint8_t buf[64] = {};
  EXPECT_EQ(disk->read((1 << 20) - 10, buf, 64).code, IoCode::OutOfRange);
  EXPECT_EQ(disk->write(1 << 20, buf, 1).code, IoCode::OutOfRange);
  EXPECT_EQ(disk->write(UINT64_MAX, buf, 2).code, IoCode::OutOfRange);
  EXPECT_EQ(disk->write_zeroes(0, (1 << 20) + 1, true).code, IoCode::OutOfRange);
  EXPECT_EQ(disk->discard(1 << 19, UINT64_MAX).code, IoCode::OutOfRange);
  EXPECT_TRUE(disk->read((1 << 20) - 64, buf, 64).ok());
  EXPECT_TRUE(disk->read(1 << 20, buf, 0).ok());
}

TEST(Qcow2Image, ReadOnlyRefusesWrites) {
  TempDir dir;
  make(dir.file("a.qcow2"), 1 << 20);
  auto disk = open_disk(dir.file("a.qcow2"), std::nullopt, true);
  ASSERT_TRUE(disk);
  uint8_t buf[8] = {};
  EXPECT_EQ(disk.value()->write(0, buf, 8).code, IoCode::ReadOnly);
  EXPECT_EQ(disk.value()->discard(0, 65536).code, IoCode::ReadOnly);
}

TEST(Qcow2Image, DiscardAndWriteZeroes) {
  for (uint32_t version : {2u, 3u}) {
    for (bool with_backing : {false, true}) {
      TempDir dir;
      constexpr uint64_t kSize = 1 << 20, kC = 65536;
      const auto base = pattern(30, 0, kSize);
      test::write_file(dir.file("base.raw"), base);
      const std::string path = dir.file("a.qcow2");
      auto disk = make(path, kSize, kC, version, with_backing ? "base.raw" : "", with_backing ? "raw" : "");
      ASSERT_TRUE(disk);
      auto model = with_backing ? base : std::vector<uint8_t>(kSize, 0);
      const auto data = pattern(31, 0, kSize);
      ASSERT_TRUE(disk->write(0, data.data(), kSize).ok());
      model = data;
      // write_zeroes: exact zeros, whole and partial clusters, with and without unmap.
      ASSERT_TRUE(disk->write_zeroes(kC + 100, 3 * kC, true).ok());
      std::fill(model.begin() + kC + 100, model.begin() + 4 * kC + 100, 0);
      ASSERT_TRUE(disk->write_zeroes(6 * kC, 2 * kC, false).ok());
      std::fill(model.begin() + 6 * kC, model.begin() + 8 * kC, 0);
      EXPECT_EQ(test::read_all(*disk), model);
      // discard: whole clusters read as zeros (or, for v2 over a backing file, keep their data);
      // partial clusters are left alone.
      ASSERT_TRUE(disk->discard(10 * kC - 10, 3 * kC + 20).ok());
      if (!(version == 2 && with_backing)) std::fill(model.begin() + 10 * kC, model.begin() + 13 * kC, 0);
      EXPECT_EQ(test::read_all(*disk), model);
      // Writing into zeroed and discarded clusters again.
      const auto again = pattern(32, 0, 200);
      ASSERT_TRUE(disk->write(11 * kC + 5, again.data(), again.size()).ok());
      ASSERT_TRUE(disk->write(7 * kC + 5, again.data(), again.size()).ok());
      std::copy(again.begin(), again.end(), model.begin() + 11 * kC + 5);
      std::copy(again.begin(), again.end(), model.begin() + 7 * kC + 5);
      EXPECT_EQ(test::read_all(*disk), model);
      ASSERT_TRUE(disk->flush().ok());
      disk.reset();
      EXPECT_EQ(reopen_and_read(path), model) << "v" << version << " backing " << with_backing;
      expect_clean(path);
    }
  }
}

TEST(Qcow2Image, DiscardReleasesSpace) {
  TempDir dir;
  const std::string path = dir.file("a.qcow2");
  auto disk = make(path, 16 << 20);
  ASSERT_TRUE(disk);
  const auto data = pattern(40, 0, 16 << 20);
  ASSERT_TRUE(disk->write(0, data.data(), data.size()).ok());
  ASSERT_TRUE(disk->flush().ok());
  ASSERT_TRUE(disk->discard(0, 16 << 20).ok());
  ASSERT_TRUE(disk->flush().ok());
  EXPECT_EQ(test::read_all(*disk), std::vector<uint8_t>(16 << 20, 0));
  EXPECT_LT(disk->info().virtual_size, 17u << 20);
  auto usage = test::run("du -k " + test::quote(path));
  EXPECT_LT(std::stoul(usage.output), 4096u) << usage.output;  // well under the 16 MiB written
  // Freed clusters are reused.
  ASSERT_TRUE(disk->write(0, data.data(), data.size()).ok());
  disk.reset();
  expect_clean(path);
  auto size = test::run("stat -c %s " + test::quote(path));
  EXPECT_LT(std::stoull(size.output), 18ull << 20) << size.output;
}

TEST(Qcow2Image, ConcurrentRequestsFromManyThreads) {
  TempDir dir;
  const std::string path = dir.file("a.qcow2");
  constexpr uint64_t kChunk = 300000;  // not cluster aligned: neighbours share clusters
  auto disk = make(path, 38 * 65536);
  ASSERT_TRUE(disk);
  std::vector<std::thread> threads;
  for (uint64_t t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (uint64_t i = 0; i < 20; ++i) {
        const auto d = pattern(t * 100 + i, t * kChunk, kChunk);
        EXPECT_TRUE(disk->write(t * kChunk, d.data(), kChunk).ok());
        std::vector<uint8_t> back(kChunk);
        EXPECT_TRUE(disk->read(t * kChunk, back.data(), kChunk).ok());
        EXPECT_EQ(back, d);
        if (i % 5 == 0) {
          EXPECT_TRUE(disk->flush().ok());
        }
      }
    });
  for (auto& th : threads) th.join();
  disk.reset();
  auto all = reopen_and_read(path);
  for (uint64_t t = 0; t < 8; ++t) {
    const auto d = pattern(t * 100 + 19, t * kChunk, kChunk);
    EXPECT_TRUE(std::equal(d.begin(), d.end(), all.begin() + static_cast<long>(t * kChunk)));
  }
  expect_clean(path);
}

TEST(Qcow2Image, L2CacheEvictionKeepsDataCorrect) {
  // 512-byte clusters map 32 KiB per L2 table: scattered writes over 256 MiB touch more L2
  // tables than the cache holds (4096), so dirty tables are evicted and written back mid-run.
  TempDir dir;
  const std::string path = dir.file("a.qcow2");
  constexpr uint64_t kSize = 256ull << 20;
  std::map<uint64_t, std::vector<uint8_t>> written;
  {
    auto disk = make(path, kSize, 512);
    ASSERT_TRUE(disk);
    test::Rng rng(5);
    for (int i = 0; i < 6000; ++i) {
      const uint64_t off = rng.below(kSize - 8) & ~7ull;
      auto d = pattern(static_cast<uint64_t>(i), off, 8);
      ASSERT_TRUE(disk->write(off, d.data(), 8).ok());
      written[off] = std::move(d);
    }
  }
  auto disk = open_disk(path, std::nullopt, true);
  ASSERT_TRUE(disk);
  for (const auto& [off, d] : written) {
    std::vector<uint8_t> back(8);
    ASSERT_TRUE(disk.value()->read(off, back.data(), 8).ok());
    EXPECT_EQ(back, d) << off;
  }
  expect_clean(path);
}

TEST(Qcow2Check, ReportsLeaksAndCorruption) {
  TempDir dir;
  const std::string path = dir.file("a.qcow2");
  {
    auto disk = make(path, 1 << 30);  // header, table, block, L1 in clusters 0..3
    ASSERT_TRUE(disk);
    const auto d = pattern(1, 0, 65536);
    ASSERT_TRUE(disk->write(0, d.data(), d.size()).ok());  // L2 at cluster 4, data at 5
  }
  expect_clean(path);
  auto bytes = test::read_file(path);
  auto leaked = bytes;
  std::fill(leaked.begin() + 4 * 65536, leaked.begin() + 4 * 65536 + 8, 0);  // L2 entry 0
  test::write_file(dir.file("leak.qcow2"), leaked);
  auto r = qcow2::check_image(dir.file("leak.qcow2"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->leaks, 1u);
  EXPECT_EQ(r->corruptions, 0u);
  auto corrupt = bytes;
  corrupt[2 * 65536 + 5 * 2 + 1] = 0;  // refcount of the data cluster: 1 -> 0
  test::write_file(dir.file("bad.qcow2"), corrupt);
  r = qcow2::check_image(dir.file("bad.qcow2"));
  ASSERT_TRUE(r);
  EXPECT_GE(r->corruptions, 1u);
  if (test::have_qemu_img()) {
    EXPECT_EQ(test::run("qemu-img check " + test::quote(dir.file("leak.qcow2"))).status, 3);
    EXPECT_EQ(test::run("qemu-img check " + test::quote(dir.file("bad.qcow2"))).status, 2);
  }
}

}  // namespace
}  // namespace vessel::storage

namespace vessel::storage {
namespace {

TEST(Qcow2Image, SnapshotsOfTheFileBetweenFlushesAreNeverCorrupt) {
  // A copy of the file taken at any moment (as if the host crashed after the writes so far
  // reached the disk) may leak clusters but must never be corrupt, and after a flush it must
  // be clean and hold everything written.
  TempDir dir;
  const std::string path = dir.file("a.qcow2");
  std::vector<uint8_t> model(8 << 20, 0);
  auto disk = make(path, model.size(), 4096, 3);
  ASSERT_TRUE(disk);
  for (int round = 0; round < 8; ++round) {
    ASSERT_TRUE(test::random_workload(*disk, model, 500 + static_cast<uint64_t>(round), 25));
    const std::string copy = dir.file("copy.qcow2");
    test::run("cp " + test::quote(path) + " " + test::quote(copy));
    auto r = qcow2::check_image(copy);
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->corruptions, 0u) << "round " << round;
    if (round % 2 == 1) {
      ASSERT_TRUE(disk->flush().ok());
      test::run("cp " + test::quote(path) + " " + test::quote(copy));
      expect_clean(copy);
      EXPECT_EQ(reopen_and_read(copy), model);
    }
  }
}

}  // namespace
}  // namespace vessel::storage
