// Damaged and unsupported qcow2 headers are refused with a message naming the problem; random
// damage anywhere in the metadata never crashes.
#include <gtest/gtest.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>

#include "storage/big_endian.h"
#include "storage/open_disk.h"
#include "storage/qcow2_check.h"
#include "storage/qcow2_create.h"
#include "storage_test_util.h"

namespace vessel::storage {
namespace {

using test::TempDir;

// A v3 image with 64 KiB clusters and a little data; returns its bytes.
std::vector<uint8_t> sample_image(const TempDir& dir) {
  qcow2::CreateOptions o;
  o.size = 4 << 20;
  EXPECT_TRUE(qcow2::create_image(dir.file("s.qcow2"), o));
  {
    auto disk = open_disk(dir.file("s.qcow2"), std::nullopt, false);
    EXPECT_TRUE(disk);
    const auto d = test::pattern(1, 0, 200000);
    EXPECT_TRUE(disk.value()->write(100000, d.data(), d.size()).ok());
  }
  return test::read_file(dir.file("s.qcow2"));
}

struct Damage {
  const char* name;
  void (*apply)(std::vector<uint8_t>&);
  const char* message;  // expected in the error
};

std::string open_error(const TempDir& dir, const std::vector<uint8_t>& bytes, bool read_only) {
  test::write_file(dir.file("d.qcow2"), bytes);
  auto disk = open_disk(dir.file("d.qcow2"), DiskFormat::Qcow2, read_only);
  return disk ? std::string() : disk.error();
}

TEST(Qcow2Header, RefusesDamagedAndUnsupportedImages) {
  TempDir dir;
  const auto good = sample_image(dir);
  const Damage cases[] = {
      {"magic", [](auto& b) { b[0] = 'X'; }, "not a qcow2 image"},
      {"version 4", [](auto& b) { store_be32(&b[4], 4); }, "unsupported qcow2 version 4"},
      {"version 1", [](auto& b) { store_be32(&b[4], 1); }, "unsupported qcow2 version 1"},
      {"AES", [](auto& b) { store_be32(&b[32], 1); }, "encrypted qcow2 images are not supported (AES)"},
      {"LUKS", [](auto& b) { store_be32(&b[32], 2); }, "encrypted qcow2 images are not supported (LUKS)"},
      {"unknown feature", [](auto& b) { b[72 + 7 - 5] |= 0x01; }, "unsupported incompatible features: bit 40"},
      {"external data", [](auto& b) { b[79] |= 1u << 2; }, "external data file"},
      {"extended L2", [](auto& b) { b[79] |= 1u << 4; }, "extended L2 entries"},
      {"zstd", [](auto& b) { b[79] |= 1u << 3; b[104] = 1; }, "zstd"},
      {"compression type 7", [](auto& b) { b[79] |= 1u << 3; b[104] = 7; }, "compression type 7"},
      {"cluster bits", [](auto& b) { store_be32(&b[20], 30); }, "cluster size"},
      {"cluster bits 8", [](auto& b) { store_be32(&b[20], 8); }, "cluster size"},
      {"L1 beyond EOF", [](auto& b) { store_be64(&b[40], 1ull << 40); }, "L1 table lies past the end"},
      {"L1 unaligned", [](auto& b) { store_be64(&b[40], 3 * 65536 + 512); }, "L1 table offset"},
      {"L1 too small", [](auto& b) { store_be64(&b[24], 1ull << 50); }, "too small for virtual size"},
      {"L1 huge", [](auto& b) { store_be32(&b[36], 0x7fffffff); }, "larger than 32 MiB"},
      {"refcount table", [](auto& b) { store_be32(&b[56], 0); }, "refcount table"},
      {"refcount order", [](auto& b) { store_be32(&b[96], 7); }, "refcount order 7"},
      {"header length", [](auto& b) { store_be32(&b[100], 100); }, "invalid header length"},
      {"backing name", [](auto& b) { store_be64(&b[8], 65530); store_be32(&b[16], 100); }, "backing file name"},
      {"truncated", [](auto& b) { b.resize(50); }, "truncated"},
  };
  for (const auto& c : cases) {
    auto bytes = good;
    c.apply(bytes);
    const std::string err = open_error(dir, bytes, true);
    EXPECT_NE(err.find(c.message), std::string::npos) << c.name << ": got '" << err << "'";
  }
}

TEST(Qcow2Header, CorruptAndSnapshotImagesOpenReadOnlyOnly) {
  TempDir dir;
  const auto good = sample_image(dir);
  const std::pair<const char*, void (*)(std::vector<uint8_t>&)> cases[] = {
      {"corrupt", [](auto& b) { b[79] |= 2; }},
      {"snapshots", [](auto& b) { store_be32(&b[60], 1); store_be64(&b[64], 0); }},
  };
  for (const auto& [name, apply] : cases) {
    auto bytes = good;
    apply(bytes);
    const std::string err = open_error(dir, bytes, false);
    EXPECT_FALSE(err.empty()) << name;
    EXPECT_NE(err.find("read-only"), std::string::npos) << name << ": " << err;
    if (std::string(name) != "snapshots") {
      EXPECT_EQ(open_error(dir, bytes, true), "") << name;
    }
  }
}

TEST(Qcow2Header, DirtyImagesGetTheirRefcountsRebuilt) {
  // A dirty image (lazy refcounts, not written back) whose refcounts lack the data and L2
  // clusters: opening it for writing recounts them, and the result is clean.
  TempDir dir;
  auto bytes = sample_image(dir);  // clusters: 0 header, 1 table, 2 block, 3 L1, 4 L2, 5.. data
  const auto model = test::read_file(dir.file("s.qcow2"));
  bytes[79] |= 1;
  for (size_t c = 4; c < 9; ++c) store_be16(&bytes[2 * 65536 + c * 2], 0);
  test::write_file(dir.file("d.qcow2"), bytes);
  auto ro = open_disk(dir.file("d.qcow2"), std::nullopt, true);
  ASSERT_TRUE(ro) << ro.error();
  EXPECT_TRUE(ro.value()->info().dirty);
  const auto content = test::read_all(*ro.value());
  ro.value().reset();
  {
    auto rw = open_disk(dir.file("d.qcow2"), std::nullopt, false);
    ASSERT_TRUE(rw) << rw.error();
    EXPECT_FALSE(rw.value()->info().dirty);
    EXPECT_EQ(test::read_all(*rw.value()), content);
    const auto d = test::pattern(5, 0, 300000);
    ASSERT_TRUE(rw.value()->write(1 << 20, d.data(), d.size()).ok());
  }
  auto r = qcow2::check_image(dir.file("d.qcow2"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->corruptions + r->leaks + r->check_errors, 0u) << (r->messages.empty() ? "" : r->messages[0]);
  EXPECT_EQ(test::read_file(dir.file("d.qcow2"))[79] & 1, 0);
  if (test::have_qemu_img()) {
    auto q = test::run("qemu-img check " + test::quote(dir.file("d.qcow2")));
    EXPECT_EQ(q.status, 0) << q.output;
  }
}

TEST(Qcow2Header, RandomDamageNeverCrashes) {
  TempDir dir;
  const auto good = sample_image(dir);
  // VESSEL_STORAGE_FUZZ=SEED,ROUNDS runs a longer campaign (e.g. under a sanitizer build).
  uint64_t seed = 99, rounds = 300;
  if (const char* env = getenv("VESSEL_STORAGE_FUZZ")) sscanf(env, "%" SCNu64 ",%" SCNu64, &seed, &rounds);
  test::Rng rng(seed);
  for (uint64_t round = 0; round < rounds; ++round) {
    auto bytes = good;
    const int flips = 1 + static_cast<int>(rng.below(8));
    for (int i = 0; i < flips; ++i) {
      // Mostly metadata: header, refcount table/block, L1, L2 (clusters 0..4).
      const uint64_t pos = rng.below(rng.below(4) == 0 ? bytes.size() : 5 * 65536);
      bytes[pos] = static_cast<uint8_t>(rng.next());
    }
    test::write_file(dir.file("d.qcow2"), bytes);
    auto disk = open_disk(dir.file("d.qcow2"), DiskFormat::Qcow2, rng.below(2) == 0);
    (void)qcow2::check_image(dir.file("d.qcow2"));
    if (!disk) continue;
    DiskImage& d = *disk.value();
    std::vector<uint8_t> buf(300000);
    for (int i = 0; i < 4; ++i) {
      const uint64_t off = rng.below(d.size());
      const size_t len = static_cast<size_t>(std::min<uint64_t>(buf.size(), d.size() - off));
      (void)d.read(off, buf.data(), len);
      if (!d.read_only()) {
        (void)d.write(off, buf.data(), len);
        (void)d.discard(off, len);
      }
    }
    (void)d.flush();
  }
}

}  // namespace
}  // namespace vessel::storage
