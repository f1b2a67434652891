// Interoperability with Debian's qemu-utils: images qemu-img creates are written by Vessel and
// then pass `qemu-img check` and match the expected content with `qemu-img compare`; images
// qemu-img compresses or writes are read correctly by Vessel.
#include <gtest/gtest.h>

#include "storage/open_disk.h"
#include "storage_test_util.h"

namespace vessel::storage {
namespace {

using test::pattern;
using test::quote;
using test::run;
using test::TempDir;

#define REQUIRE_QEMU_IMG() \
  if (!test::have_qemu_img()) GTEST_SKIP() << "qemu-img not installed (Debian package qemu-utils)"

void expect_qemu_clean_and_equal(const std::string& image, const std::vector<uint8_t>& model, const TempDir& dir) {
  auto check = run("qemu-img check " + quote(image));
  EXPECT_EQ(check.status, 0) << check.output;
  test::write_file(dir.file("expected.raw"), model);
  auto cmp = run("qemu-img compare -F raw " + quote(image) + " " + quote(dir.file("expected.raw")));
  EXPECT_EQ(cmp.status, 0) << cmp.output;
}

struct Variant {
  const char* compat;
  const char* backing_fmt;  // nullptr: no backing file
  const char* cluster_size;
};

void PrintTo(const Variant& v, std::ostream* os) {
  *os << "compat=" << v.compat << " backing=" << (v.backing_fmt ? v.backing_fmt : "none") << " cluster_size="
      << v.cluster_size;
}

class QemuCreated : public ::testing::TestWithParam<Variant> {};

TEST_P(QemuCreated, VesselWritesQemuChecksAndCompares) {
  REQUIRE_QEMU_IMG();
  const Variant v = GetParam();
  TempDir dir;
  constexpr uint64_t kSize = 16 << 20;
  std::vector<uint8_t> model(kSize, 0);
  std::string backing_opts;
  if (v.backing_fmt) {
    // The backing file is shorter than the overlay: the tail reads as zeros.
    std::vector<uint8_t> base = pattern(50, 0, 12 << 20);
    for (size_t i = 2 << 20; i < (3 << 20); ++i) base[i] = 0;  // a hole of zeros
    test::write_file(dir.file("base.raw"), base);
    std::copy(base.begin(), base.end(), model.begin());
    if (std::string(v.backing_fmt) == "qcow2") {
      auto conv = run("qemu-img convert -f raw -O qcow2 -o compat=" + std::string(v.compat) + " " +
                      quote(dir.file("base.raw")) + " " + quote(dir.file("base.qcow2")));
      ASSERT_EQ(conv.status, 0) << conv.output;
      backing_opts = " -b base.qcow2 -F qcow2";
    } else {
      backing_opts = " -b base.raw -F raw";
    }
  }
  const std::string image = dir.file("disk.qcow2");
  auto made = run("qemu-img create -f qcow2 -o compat=" + std::string(v.compat) +
                  ",cluster_size=" + v.cluster_size + backing_opts + " " + quote(image) + " " +
                  std::to_string(kSize));
  ASSERT_EQ(made.status, 0) << made.output;
  {
    auto disk = open_disk(image, std::nullopt, false);
    ASSERT_TRUE(disk) << disk.error();
    ASSERT_EQ(disk.value()->size(), kSize);
    EXPECT_EQ(test::read_all(*disk.value()), model);
    ASSERT_TRUE(test::random_workload(*disk.value(), model, 60, 150, 300000));
    ASSERT_TRUE(disk.value()->flush().ok());
    EXPECT_EQ(test::read_all(*disk.value()), model);
  }
  expect_qemu_clean_and_equal(image, model, dir);
  // A second session on the same image, after qemu-img has looked at it.
  {
    auto disk = open_disk(image, std::nullopt, false);
    ASSERT_TRUE(disk) << disk.error();
    ASSERT_TRUE(test::random_workload(*disk.value(), model, 61, 60, 300000));
  }
  expect_qemu_clean_and_equal(image, model, dir);
}

INSTANTIATE_TEST_SUITE_P(Variants, QemuCreated,
                         ::testing::Values(Variant{"1.1", nullptr, "65536"}, Variant{"0.10", nullptr, "65536"},
                                           Variant{"1.1", "qcow2", "65536"}, Variant{"0.10", "qcow2", "65536"},
                                           Variant{"1.1", "raw", "4096"}, Variant{"0.10", "raw", "512"},
                                           Variant{"1.1", nullptr, "2M"}),
                         [](const auto& info) {
                           std::string n = std::string(info.param.compat == std::string("1.1") ? "v3" : "v2") +
                                           "_" + (info.param.backing_fmt ? info.param.backing_fmt : "nobacking") +
                                           "_" + info.param.cluster_size;
                           return n;
                         });

TEST(Qcow2Interop, ReadsCompressedClustersAndRewritesThem) {
  REQUIRE_QEMU_IMG();
  TempDir dir;
  constexpr uint64_t kSize = 8 << 20;
  std::vector<uint8_t> model(kSize, 0);
  // Compressible content: repeated short patterns, some zero ranges, some random.
  for (uint64_t i = 0; i < kSize; ++i) model[i] = static_cast<uint8_t>((i / 7) % 13);
  const auto noise = pattern(70, 0, 1 << 20);
  std::copy(noise.begin(), noise.end(), model.begin() + (3 << 20));
  std::fill(model.begin() + (5 << 20), model.begin() + (6 << 20), 0);
  test::write_file(dir.file("src.raw"), model);
  for (const char* compat : {"1.1", "0.10"}) {
    const std::string image = dir.file(std::string("c-") + compat + ".qcow2");
    auto conv = run("qemu-img convert -c -f raw -O qcow2 -o compat=" + std::string(compat) + " " +
                    quote(dir.file("src.raw")) + " " + quote(image));
    ASSERT_EQ(conv.status, 0) << conv.output;
    auto model_c = model;
    {
      auto disk = open_disk(image, std::nullopt, false);
      ASSERT_TRUE(disk) << disk.error();
      EXPECT_EQ(test::read_all(*disk.value()), model_c);
      // Partial writes into compressed clusters: decompress, merge, write uncompressed.
      for (uint64_t off : {100ull, 65536ull * 3 + 1000, (3ull << 20) + 5}) {
        const auto d = pattern(71, off, 3000);
        ASSERT_TRUE(disk.value()->write(off, d.data(), d.size()).ok());
        std::copy(d.begin(), d.end(), model_c.begin() + static_cast<long>(off));
      }
      ASSERT_TRUE(disk.value()->write_zeroes(65536 * 10, 65536 * 2, true).ok());
      std::fill(model_c.begin() + 65536 * 10, model_c.begin() + 65536 * 12, 0);
      ASSERT_TRUE(test::random_workload(*disk.value(), model_c, 72, 40));
      EXPECT_EQ(test::read_all(*disk.value()), model_c);
    }
    expect_qemu_clean_and_equal(image, model_c, dir);
  }
}

TEST(Qcow2Interop, ReadsWhatQemuWrote) {
  REQUIRE_QEMU_IMG();
  if (run("qemu-io --version").status != 0) GTEST_SKIP() << "qemu-io not installed";
  TempDir dir;
  const std::string image = dir.file("q.qcow2");
  ASSERT_EQ(run("qemu-img create -f qcow2 " + quote(image) + " 4M").status, 0);
  auto w = run("qemu-io -f qcow2 -c 'write -P 0x5a 1000 70000' -c 'write -z 2M 128k' -c 'write -P 0x11 3M 4k' " +
               quote(image));
  ASSERT_EQ(w.status, 0) << w.output;
  std::vector<uint8_t> model(4 << 20, 0);
  std::fill(model.begin() + 1000, model.begin() + 71000, 0x5a);
  std::fill(model.begin() + (3 << 20), model.begin() + (3 << 20) + 4096, 0x11);
  auto disk = open_disk(image, std::nullopt, true);
  ASSERT_TRUE(disk) << disk.error();
  EXPECT_EQ(test::read_all(*disk.value()), model);
}

TEST(Qcow2Interop, VesselCreatedImagesWorkWithQemu) {
  REQUIRE_QEMU_IMG();
  TempDir dir;
  std::vector<uint8_t> base = pattern(80, 0, 6 << 20);
  test::write_file(dir.file("base.raw"), base);
  // qemu-img writes into an image whose metadata Vessel created and wrote.
  auto disk = open_disk(dir.file("base.raw"), std::nullopt, true);
  ASSERT_TRUE(disk);
  for (const char* opts : {"compat=1.1", "compat=0.10", "cluster_size=4096", "refcount_bits=1"}) {
    const std::string image = dir.file("v.qcow2");
    auto made = run("qemu-img create -f qcow2 -o " + std::string(opts) + " -b base.raw -F raw " + quote(image) + " 8M");
    ASSERT_EQ(made.status, 0) << made.output;
    std::vector<uint8_t> model = base;
    model.resize(8 << 20, 0);
    {
      auto v = open_disk(image, std::nullopt, false);
      ASSERT_TRUE(v) << v.error();
      ASSERT_TRUE(test::random_workload(*v.value(), model, 81, 80));
    }
    auto w = run("qemu-io -f qcow2 -c 'write -P 0x33 5M 100k' " + quote(image));
    ASSERT_EQ(w.status, 0) << w.output;
    std::fill(model.begin() + (5 << 20), model.begin() + (5 << 20) + 102400, 0x33);
    auto v = open_disk(image, std::nullopt, true);
    ASSERT_TRUE(v);
    EXPECT_EQ(test::read_all(*v.value()), model) << opts;
    expect_qemu_clean_and_equal(image, model, dir);
  }
}

}  // namespace
}  // namespace vessel::storage

namespace vessel::storage {
namespace {

TEST(Qcow2Interop, RepairsImagesQemuLeftDirty) {
  REQUIRE_QEMU_IMG();
  if (test::run("qemu-io --version").status != 0) GTEST_SKIP() << "qemu-io not installed";
  TempDir dir;
  const std::string image = dir.file("lazy.qcow2");
  ASSERT_EQ(run("qemu-img create -q -f qcow2 -o lazy_refcounts=on " + quote(image) + " 64M").status, 0);
  // qemu-io's abort leaves the image as a crash would: dirty, refcounts not written back.
  run("qemu-io -c 'write -P 0x44 0 3M' -c 'write -P 0x45 10M 64k' -c abort " + quote(image));
  ASSERT_NE(run("qemu-img check " + quote(image)).status, 0) << "expected a dirty image";
  std::vector<uint8_t> model(64 << 20, 0);
  std::fill(model.begin(), model.begin() + (3 << 20), 0x44);
  std::fill(model.begin() + (10 << 20), model.begin() + (10 << 20) + 65536, 0x45);
  {
    auto disk = open_disk(image, std::nullopt, false);
    ASSERT_TRUE(disk) << disk.error();
    EXPECT_EQ(test::read_all(*disk.value()), model);
    ASSERT_TRUE(test::random_workload(*disk.value(), model, 90, 30));
  }
  expect_qemu_clean_and_equal(image, model, dir);
}

}  // namespace
}  // namespace vessel::storage
