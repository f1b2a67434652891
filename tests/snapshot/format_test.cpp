// The snapshot container: round trip, and every corruption or truncation refused with a message.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "snapshot/snapshot_file.h"
#include "snapshot/state_stream.h"

namespace vessel::snapshot {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  return testing::TempDir() + "/vessel-format-" + std::to_string(getpid()) + "-" + name;
}

std::vector<uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_all(const std::string& path, const std::vector<uint8_t>& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

class Format : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = temp_path(testing::UnitTest::GetInstance()->current_test_info()->name());
    a_ = {'h', 'e', 'l', 'l', 'o'};
    b_.resize(1000);
    for (size_t i = 0; i < b_.size(); ++i) b_[i] = static_cast<uint8_t>(i * 7);
    auto w = write_snapshot_file(path_, {{make_tag("AAAA"), a_.data(), a_.size()},
                                         {make_tag("BBBB"), b_.data(), b_.size()},
                                         {make_tag("BBBB"), nullptr, 0}});
    ASSERT_TRUE(w) << w.error();
    EXPECT_EQ(w.value(), fs::file_size(path_));
  }
  void TearDown() override { fs::remove(path_); }
  std::string path_;
  std::vector<uint8_t> a_, b_;
};

TEST_F(Format, RoundTrip) {
  auto f = SnapshotFile::open(path_);
  ASSERT_TRUE(f) << f.error();
  ASSERT_EQ(f.value()->sections().size(), 3u);
  auto a = f.value()->single(make_tag("AAAA"));
  ASSERT_TRUE(a) << a.error();
  EXPECT_EQ(std::vector<uint8_t>(a->data, a->data + a->size), a_);
  const auto bs = f.value()->all(make_tag("BBBB"));
  ASSERT_EQ(bs.size(), 2u);
  EXPECT_EQ(std::vector<uint8_t>(bs[0].data, bs[0].data + bs[0].size), b_);
  EXPECT_EQ(bs[1].size, 0u);
  // A duplicated or missing section is named in the error.
  auto dup = f.value()->single(make_tag("BBBB"));
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().find("BBBB"), std::string::npos) << dup.error();
  auto missing = f.value()->single(make_tag("CCCC"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("CCCC"), std::string::npos) << missing.error();
}

TEST_F(Format, NoTemporaryFileLeftBehind) {
  for (const auto& e : fs::directory_iterator(fs::path(path_).parent_path()))
    EXPECT_EQ(e.path().string().find(path_ + ".tmp"), std::string::npos) << e.path();
}

TEST_F(Format, EveryTruncationIsRefused) {
  const std::vector<uint8_t> full = read_all(path_);
  for (size_t len = 0; len < full.size(); ++len) {
    auto f = SnapshotFile::parse(full.data(), len, "cut");
    ASSERT_FALSE(f) << "accepted a file cut to " << len << " bytes";
    EXPECT_NE(f.error().find("refused"), std::string::npos) << f.error();
  }
  // And through the file path, as `vessel run --restore` sees it.
  write_all(path_, std::vector<uint8_t>(full.begin(), full.begin() + full.size() / 2));
  auto f = SnapshotFile::open(path_);
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().find("truncated"), std::string::npos) << f.error();
}

TEST_F(Format, EveryFlippedByteIsRefused) {
  std::vector<uint8_t> data = read_all(path_);
  for (size_t i = 0; i < data.size(); ++i) {
    data[i] ^= 0x40;
    auto f = SnapshotFile::parse(data.data(), data.size(), "flipped");
    ASSERT_FALSE(f) << "accepted a file with byte " << i << " changed";
    EXPECT_FALSE(f.error().empty());
    data[i] ^= 0x40;
  }
}

TEST_F(Format, MessagesSayWhatIsWrong) {
  std::vector<uint8_t> data = read_all(path_);
  data[0] = 'X';
  EXPECT_NE(SnapshotFile::parse(data.data(), data.size(), "x").error().find("bad magic"), std::string::npos);
  data = read_all(path_);
  data[8] = 99;  // version
  EXPECT_NE(SnapshotFile::parse(data.data(), data.size(), "x").error().find("version 99"), std::string::npos);
  data = read_all(path_);
  data[40] ^= 1;  // inside the first section's payload
  EXPECT_NE(SnapshotFile::parse(data.data(), data.size(), "x").error().find("checksum"), std::string::npos);
  auto none = SnapshotFile::open(path_ + ".does-not-exist");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().find("cannot open"), std::string::npos);
  auto dir = SnapshotFile::open(testing::TempDir());
  ASSERT_FALSE(dir);
  EXPECT_NE(dir.error().find("not a regular file"), std::string::npos);
}

TEST_F(Format, UnwritablePathIsAnError) {
  auto w = write_snapshot_file("/proc/vessel-no-such-dir/x.snap", std::vector<SectionView>{});
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().find("cannot create"), std::string::npos) << w.error();
}

TEST(StateStream, RoundTripAndTruncation) {
  StateWriter w;
  w.u8(1);
  w.u16(0x1234);
  w.u32(0xdeadbeef);
  w.u64(0x0123456789abcdefull);
  w.boolean(true);
  w.string("vessel");
  const auto data = w.data();
  StateReader r(data.data(), data.size(), "test");
  EXPECT_EQ(r.u8(), 1);
  EXPECT_EQ(r.u16(), 0x1234);
  EXPECT_EQ(r.u32(), 0xdeadbeefu);
  EXPECT_EQ(r.u64(), 0x0123456789abcdefull);
  EXPECT_TRUE(r.boolean());
  EXPECT_EQ(r.string(100), "vessel");
  EXPECT_TRUE(r.finish()) << r.error();
  for (size_t len = 0; len < data.size(); ++len) {
    StateReader t(data.data(), len, "cut");
    t.u8(), t.u16(), t.u32(), t.u64(), t.boolean(), t.string(100);
    EXPECT_FALSE(t.finish()) << len;
    EXPECT_EQ(t.error().rfind("cut: ", 0), 0u) << t.error();
  }
  StateReader extra(data.data(), data.size(), "extra");
  extra.u8();
  EXPECT_FALSE(extra.finish());
  EXPECT_NE(extra.error().find("trailing"), std::string::npos);
  StateReader limited(data.data(), data.size(), "limit");
  limited.u8(), limited.u16(), limited.u32(), limited.u64(), limited.boolean();
  limited.string(3);  // longer than allowed
  EXPECT_FALSE(limited.ok());
}

}  // namespace
}  // namespace vessel::snapshot
