// Guest memory in snapshots: only non-zero pages are stored, they come back exactly, and a
// damaged section is an error, never a crash or a write outside the mapping.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <random>

#include "snapshot/memory_image.h"

namespace vessel::snapshot {
namespace {

class Mapping {
 public:
  explicit Mapping(size_t size) : size_(size) {
    p_ = static_cast<uint8_t*>(mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
  }
  ~Mapping() { munmap(p_, size_); }
  uint8_t* data() const { return p_; }

 private:
  size_t size_;
  uint8_t* p_;
};

constexpr uint64_t kSize = 8ull << 20;
constexpr uint64_t kPage = kSnapshotPageSize;

// Pages 3, 4, 5 (a run), 300 (one page), a 300-page run (longer than one frame) and the last page.
void fill(uint8_t* m) {
  std::mt19937_64 rng(42);
  auto page = [&](uint64_t p, bool random) {
    for (uint64_t i = 0; i < kPage; i += 8) {
      const uint64_t v = random ? rng() : 0x0101010101010101ull * ((p & 0xff) | 1);
      memcpy(m + p * kPage + i, &v, 8);
    }
  };
  for (uint64_t p : {3, 4, 5, 300}) page(p, true);
  for (uint64_t p = 1000; p < 1300; ++p) page(p, false);
  page(kSize / kPage - 1, true);
  m[7 * kPage] = 0;  // touched but zero: not saved
}

TEST(MemoryImage, OnlyNonZeroPagesRoundTrip) {
  Mapping src(kSize), dst(kSize);
  fill(src.data());
  MemoryImageStats stats;
  const auto image = encode_memory(src.data(), kSize, 1, 0, stats);
  EXPECT_EQ(stats.pages_saved, 4u + 300u + 1u);
  EXPECT_LT(image.size(), 6 * kPage) << "compressible pages should shrink";
  std::string error;
  MemoryImageStats back;
  ASSERT_TRUE(decode_memory(image.data(), image.size(), dst.data(), kSize, error, &back)) << error;
  EXPECT_EQ(back.pages_saved, stats.pages_saved);
  EXPECT_EQ(memcmp(src.data(), dst.data(), kSize), 0);
}

TEST(MemoryImage, StoredPagesAreMappedFromTheFileCopyOnWrite) {
  Mapping src(kSize), dst(kSize), copy(kSize);
  fill(src.data());
  MemoryImageStats stats;
  const uint64_t at = 1000;  // where the encoded bytes start in the file (not page-aligned)
  const auto image = encode_memory(src.data(), kSize, 0, at, stats);
  EXPECT_GT(image.size(), stats.pages_saved * kPage) << "stored, not compressed";
  const std::string path = testing::TempDir() + "/vessel-memimage-" + std::to_string(getpid());
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(pwrite(fd, image.data(), image.size(), at), static_cast<ssize_t>(image.size()));
  std::string error;
  const MemoryImageFile file{fd, at};
  ASSERT_TRUE(decode_memory(image.data(), image.size(), dst.data(), kSize, error, nullptr, &file)) << error;
  EXPECT_EQ(memcmp(src.data(), dst.data(), kSize), 0);
  // Guest writes stay private: the file keeps the snapshot.
  dst.data()[3 * kPage] ^= 0xff;
  std::vector<uint8_t> back(image.size());
  ASSERT_EQ(pread(fd, back.data(), back.size(), at), static_cast<ssize_t>(back.size()));
  EXPECT_EQ(back, image);
  // Without the file, stored runs are copied.
  ASSERT_TRUE(decode_memory(image.data(), image.size(), copy.data(), kSize, error)) << error;
  EXPECT_EQ(memcmp(src.data(), copy.data(), kSize), 0);
  close(fd);
  unlink(path.c_str());
}

TEST(MemoryImage, EmptyMemory) {
  Mapping src(kSize), dst(kSize);
  MemoryImageStats stats;
  const auto image = encode_memory(src.data(), kSize, 1, 0, stats);
  EXPECT_EQ(stats.pages_saved, 0u);
  std::string error;
  EXPECT_TRUE(decode_memory(image.data(), image.size(), dst.data(), kSize, error)) << error;
}

TEST(MemoryImage, SizeMismatchIsRefused) {
  Mapping src(kSize), dst(kSize);
  fill(src.data());
  MemoryImageStats stats;
  const auto image = encode_memory(src.data(), kSize, 1, 0, stats);
  std::string error;
  EXPECT_FALSE(decode_memory(image.data(), image.size(), dst.data(), kSize / 2, error));
  EXPECT_NE(error.find("bytes"), std::string::npos) << error;
}

TEST(MemoryImage, DamagedSectionsFailCleanly) {
  Mapping src(kSize), dst(kSize);
  fill(src.data());
  MemoryImageStats stats;
  auto image = encode_memory(src.data(), kSize, 1, 0, stats);
  std::string error;
  for (size_t len = 0; len < image.size(); len += 97) {
    error.clear();
    EXPECT_FALSE(decode_memory(image.data(), len, dst.data(), kSize, error)) << len;
    EXPECT_FALSE(error.empty());
  }
  // Flipped bytes: header fields, run headers and compressed data. The container's checksum
  // stops these first; the decoder must still never crash or write outside the mapping.
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    auto bad = image;
    bad[rng() % bad.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
    error.clear();
    if (!decode_memory(bad.data(), bad.size(), dst.data(), kSize, error)) {
      EXPECT_FALSE(error.empty());
    }
  }
  // A run pointing outside memory is named.
  auto bad = image;
  const size_t first_run = 8 + 4 + 8;
  for (int b = 0; b < 8; ++b) bad[first_run + b] = 0xff;
  EXPECT_FALSE(decode_memory(bad.data(), bad.size(), dst.data(), kSize, error));
  EXPECT_NE(error.find("outside memory"), std::string::npos) << error;
}

}  // namespace
}  // namespace vessel::snapshot
