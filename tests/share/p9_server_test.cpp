// The 9P2000.L server without a guest: messages built by hand (p9_client.h) against a
// temporary host directory with a file outside it that no message may reach.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <set>

#include "p9_client.h"
#include "snapshot/state_stream.h"

namespace vessel::test {
namespace {

namespace fs = std::filesystem;
using p9::WireWriter;

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void put(const fs::path& p, const std::string& data) { std::ofstream(p, std::ios::binary) << data; }

class P9Server : public testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::path(testing::TempDir()) / ("p9-" + std::to_string(getpid()) + "-" +
                                            testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    fs::create_directories(base_ / "share" / "sub");
    fs::create_directories(base_ / "outside");
    put(base_ / "share" / "hello.txt", "hello from the host\n");
    put(base_ / "share" / "sub" / "inner.txt", "inner");
    put(base_ / "outside" / "secret.txt", "secret");
    fs::create_directory_symlink("../outside", base_ / "share" / "rel_link");
    fs::create_directory_symlink(base_ / "outside", base_ / "share" / "abs_link");
    fs::create_symlink(base_ / "outside" / "secret.txt", base_ / "share" / "file_link");
  }
  void TearDown() override { fs::remove_all(base_); }

  std::unique_ptr<p9::Server> make(bool read_only = false) {
    auto root = p9::ShareRoot::open((base_ / "share").string());
    EXPECT_TRUE(root.ok()) << root.error();
    return std::make_unique<p9::Server>(std::move(root.value()), read_only);
  }
  uint64_t qid_path(const P9Client::Reply& walk_reply, size_t index) {
    p9::WireReader b = walk_reply.body();
    const uint16_t n = b.u16();
    EXPECT_LT(index, n);
    for (size_t i = 0; i < index; ++i) b.bytes(13);
    b.u8();
    b.u32();
    return b.u64();
  }
  uint16_t walked(const P9Client::Reply& r) { return r.error ? 0 : r.body().u16(); }

  fs::path base_;
};

TEST_F(P9Server, VersionNegotiatesMsizeAndRefusesOtherDialects) {
  auto s = make();
  P9Client c(*s);
  auto r = c.call(p9::kTversion, [](WireWriter& w) {
    w.u32(100u << 20);
    w.str("9P2000.L");
  });
  ASSERT_EQ(r.type, p9::kTversion + 1);
  auto b = r.body();
  EXPECT_EQ(b.u32(), p9::Server::kMaxMsize);
  EXPECT_EQ(b.str(), "9P2000.L");
  r = c.call(p9::kTversion, [](WireWriter& w) {
    w.u32(8192);
    w.str("9P2000.u");
  });
  b = r.body();
  EXPECT_EQ(b.u32(), 8192u);  // never more than the client offers
  EXPECT_EQ(b.str(), "unknown");
  r = c.call(p9::kTversion, [](WireWriter& w) {
    w.u32(16);
    w.str("9P2000.L");
  });
  EXPECT_EQ(r.error, static_cast<uint32_t>(EINVAL));
}

TEST_F(P9Server, WalksReadsAndListsHostFiles) {
  auto s = make();
  P9Client c(*s);
  c.start();
  ASSERT_EQ(walked(c.walk(0, 1, {"hello.txt"})), 1);
  ASSERT_EQ(c.lopen(1, 0).error, 0u);
  EXPECT_EQ(c.read(1, 0, 4096), "hello from the host\n");
  EXPECT_EQ(c.read(1, 6, 4), "from");
  ASSERT_EQ(walked(c.walk(0, 2, {"sub", "inner.txt"})), 2);
  ASSERT_EQ(c.lopen(2, 0).error, 0u);
  EXPECT_EQ(c.read(2, 0, 100), "inner");
  // readdir of the root: every name once.
  ASSERT_EQ(walked(c.walk(0, 3, {})), 0);
  ASSERT_EQ(c.lopen(3, p9::kODirectory).error, 0u);
  std::set<std::string> names;
  uint64_t offset = 0;
  for (int round = 0; round < 100; ++round) {
    auto r = c.call(p9::kTreaddir, [&](WireWriter& w) {
      w.u32(3);
      w.u64(offset);
      w.u32(64);  // small: several rounds, resumed at the last entry's offset
    });
    ASSERT_EQ(r.error, 0u);
    auto b = r.body();
    const uint32_t count = b.u32();
    if (count == 0) break;
    p9::WireReader e(b.bytes(count), count);
    while (e.remaining() > 0) {
      e.bytes(13);
      offset = e.u64();
      e.u8();
      names.insert(e.str());
    }
    ASSERT_TRUE(e.ok());
  }
  EXPECT_EQ(names, (std::set<std::string>{".", "..", "hello.txt", "sub", "rel_link", "abs_link", "file_link"}));
}

TEST_F(P9Server, DotDotAtTheRootStaysAtTheRoot) {
  auto s = make();
  P9Client c(*s);
  c.start();
  const auto root = c.walk(0, 1, {"sub", ".."});
  ASSERT_EQ(walked(root), 2);
  const auto up = c.walk(0, 2, {"..", "..", ".."});
  ASSERT_EQ(walked(up), 3);
  struct stat st {};
  ASSERT_EQ(stat((base_ / "share").c_str(), &st), 0);
  EXPECT_EQ(qid_path(up, 2), st.st_ino);
  EXPECT_EQ(qid_path(root, 1), st.st_ino);
  // And from there, "outside" is not a name in the share.
  EXPECT_EQ(c.walk(2, 3, {"outside"}).error, static_cast<uint32_t>(ENOENT));
  EXPECT_EQ(c.walk(0, 3, {"..", "outside", "secret.txt"}).body().u16(), 1);  // only ".." walked
}

TEST_F(P9Server, NamesWithSlashesOrDotsAreRefused) {
  auto s = make();
  P9Client c(*s);
  c.start();
  EXPECT_NE(c.walk(0, 1, {"../outside"}).error, 0u);
  EXPECT_NE(c.walk(0, 1, {"sub/inner.txt"}).error, 0u);
  EXPECT_NE(c.walk(0, 1, {"/etc"}).error, 0u);
  EXPECT_NE(c.walk(0, 1, {"."}).error, 0u);
  EXPECT_NE(c.walk(0, 1, {""}).error, 0u);
  EXPECT_EQ(c.walk(0, 1, {std::string("hello.txt\0x", 11)}).error, static_cast<uint32_t>(ENOENT));
  EXPECT_EQ(c.lcreate(0, "..", 0101, 0644).error, static_cast<uint32_t>(EINVAL));
  EXPECT_EQ(c.lcreate(0, "a/b", 0101, 0644).error, static_cast<uint32_t>(EINVAL));
  EXPECT_FALSE(fs::exists(base_ / "a"));
}

TEST_F(P9Server, SymlinksAreNeverFollowedByTheHost) {
  auto s = make();
  P9Client c(*s);
  c.start();
  // The links themselves can be walked to and read (the guest resolves them itself) ...
  for (const char* link : {"rel_link", "abs_link", "file_link"}) {
    ASSERT_EQ(walked(c.walk(0, 1, {link})), 1) << link;
    auto r = c.call(p9::kTreadlink, [](WireWriter& w) { w.u32(1); });
    ASSERT_EQ(r.error, 0u) << link;
    // ... but never opened or walked through.
    EXPECT_EQ(c.lopen(1, 0).error, static_cast<uint32_t>(ELOOP)) << link;
    EXPECT_EQ(c.clunk(1).error, 0u);
  }
  EXPECT_EQ(walked(c.walk(0, 2, {"rel_link", "secret.txt"})), 1);  // partial: stops at the link
  EXPECT_EQ(c.walk(2, 3, {}).error, static_cast<uint32_t>(EBADF));  // fid 2 was not made
  EXPECT_EQ(walked(c.walk(0, 2, {"abs_link", "secret.txt"})), 1);
  // A link the guest makes to a host file outside is stored as text, and is not followed either.
  auto r = c.call(p9::kTsymlink, [](WireWriter& w) {
    w.u32(0);
    w.str("passwd");
    w.str("/etc/passwd");
    w.u32(0);
  });
  ASSERT_EQ(r.error, 0u);
  EXPECT_EQ(fs::read_symlink(base_ / "share" / "passwd"), "/etc/passwd");
  ASSERT_EQ(walked(c.walk(0, 4, {"passwd"})), 1);
  EXPECT_EQ(c.lopen(4, 0).error, static_cast<uint32_t>(ELOOP));
  // Creating through a link: O_NOFOLLOW on the last component.
  ASSERT_EQ(walked(c.walk(0, 5, {})), 0);
  EXPECT_EQ(c.lcreate(5, "file_link", 01 | p9::kOTrunc, 0644).error, static_cast<uint32_t>(ELOOP));
  EXPECT_EQ(slurp(base_ / "outside" / "secret.txt"), "secret");
  // Setattr on a link changes neither the link's target nor anything outside.
  ASSERT_EQ(walked(c.walk(0, 6, {"file_link"})), 1);
  r = c.call(p9::kTsetattr, [](WireWriter& w) {
    w.u32(6);
    w.u32(p9::kSetMode | p9::kSetSize);
    w.u32(0777);
    for (int i = 0; i < 2; ++i) w.u32(0);
    w.u64(0);
    for (int i = 0; i < 4; ++i) w.u64(0);
  });
  EXPECT_NE(r.error, 0u);
  EXPECT_EQ(slurp(base_ / "outside" / "secret.txt"), "secret");
  EXPECT_NE(fs::status(base_ / "outside" / "secret.txt").permissions() & fs::perms::others_write, fs::perms::others_write);
}

TEST_F(P9Server, CreatesWritesRenamesLinksAndRemoves) {
  auto s = make();
  P9Client c(*s);
  c.start();
  ASSERT_EQ(walked(c.walk(0, 1, {"sub"})), 1);
  ASSERT_EQ(c.lcreate(1, "new.txt", 02 | p9::kOExcl, 0640).error, 0u);
  ASSERT_EQ(c.write(1, 0, "written by the guest").error, 0u);
  EXPECT_EQ(slurp(base_ / "share" / "sub" / "new.txt"), "written by the guest");
  EXPECT_EQ(fs::status(base_ / "share" / "sub" / "new.txt").permissions(), fs::perms(0640));
  // Rename moves the open fid along: it still reads the file under its new name.
  ASSERT_EQ(walked(c.walk(0, 2, {})), 0);
  auto r = c.call(p9::kTrenameat, [](WireWriter& w) {
    w.u32(2);
    w.str("sub");
    w.u32(2);
    w.str("moved");
  });
  ASSERT_EQ(r.error, 0u);
  EXPECT_TRUE(fs::exists(base_ / "share" / "moved" / "new.txt"));
  auto g = c.getattr(1);
  ASSERT_EQ(g.error, 0u);
  ASSERT_EQ(walked(c.walk(1, 3, {})), 0);  // a clone of fid 1 is at the new path
  ASSERT_EQ(c.lopen(3, 0).error, 0u);
  EXPECT_EQ(c.read(3, 8, 2), "by");
  // Hard link within the share; mkdir; unlinkat.
  r = c.call(p9::kTlink, [](WireWriter& w) {
    w.u32(2);
    w.u32(3);
    w.str("hard");
  });
  ASSERT_EQ(r.error, 0u);
  EXPECT_EQ(fs::hard_link_count(base_ / "share" / "hard"), 2u);
  r = c.call(p9::kTmkdir, [](WireWriter& w) {
    w.u32(2);
    w.str("dir");
    w.u32(0750);
    w.u32(0);
  });
  ASSERT_EQ(r.error, 0u);
  EXPECT_TRUE(fs::is_directory(base_ / "share" / "dir"));
  r = c.call(p9::kTunlinkat, [](WireWriter& w) {
    w.u32(2);
    w.str("dir");
    w.u32(p9::kAtRemoveDir);
  });
  EXPECT_EQ(r.error, 0u);
  EXPECT_FALSE(fs::exists(base_ / "share" / "dir"));
  // chmod through setattr shows on the host.
  r = c.call(p9::kTsetattr, [](WireWriter& w) {
    w.u32(3);
    w.u32(p9::kSetMode);
    w.u32(0604);
    for (int i = 0; i < 2; ++i) w.u32(0);
    w.u64(0);
    for (int i = 0; i < 4; ++i) w.u64(0);
  });
  EXPECT_EQ(r.error, 0u);
  EXPECT_EQ(fs::status(base_ / "share" / "hard").permissions(), fs::perms(0604));
  // Remove clunks the fid.
  EXPECT_EQ(c.call(p9::kTremove, [](WireWriter& w) { w.u32(3); }).error, 0u);
  EXPECT_FALSE(fs::exists(base_ / "share" / "moved" / "new.txt"));
  EXPECT_EQ(c.clunk(3).error, static_cast<uint32_t>(EBADF));
  // Device nodes are refused.
  r = c.call(p9::kTmknod, [](WireWriter& w) {
    w.u32(2);
    w.str("null");
    w.u32(S_IFCHR | 0666);
    w.u32(1);
    w.u32(3);
    w.u32(0);
  });
  EXPECT_EQ(r.error, static_cast<uint32_t>(EPERM));
}

TEST_F(P9Server, ReadOnlyShareRefusesEveryWrite) {
  const fs::perms before = fs::status(base_ / "share" / "hello.txt").permissions();
  auto s = make(true);
  P9Client c(*s);
  c.start();
  ASSERT_EQ(walked(c.walk(0, 1, {"hello.txt"})), 1);
  EXPECT_EQ(c.lopen(1, 01).error, static_cast<uint32_t>(EROFS));
  EXPECT_EQ(c.lopen(1, 02).error, static_cast<uint32_t>(EROFS));
  EXPECT_EQ(c.lopen(1, p9::kOTrunc).error, static_cast<uint32_t>(EROFS));
  ASSERT_EQ(c.lopen(1, 0).error, 0u);
  EXPECT_EQ(c.read(1, 0, 5), "hello");
  EXPECT_EQ(c.write(1, 0, "x").error, static_cast<uint32_t>(EROFS));
  ASSERT_EQ(walked(c.walk(0, 2, {})), 0);
  EXPECT_EQ(c.lcreate(2, "f", 01, 0644).error, static_cast<uint32_t>(EROFS));
  auto dir_op = [&](uint8_t type, const std::function<void(WireWriter&)>& fill) { return c.call(type, fill).error; };
  const uint32_t erofs = EROFS;
  EXPECT_EQ(dir_op(p9::kTmkdir, [](WireWriter& w) { w.u32(0); w.str("d"); w.u32(0755); w.u32(0); }), erofs);
  EXPECT_EQ(dir_op(p9::kTunlinkat, [](WireWriter& w) { w.u32(0); w.str("hello.txt"); w.u32(0); }), erofs);
  EXPECT_EQ(dir_op(p9::kTrenameat, [](WireWriter& w) { w.u32(0); w.str("hello.txt"); w.u32(0); w.str("x"); }), erofs);
  EXPECT_EQ(dir_op(p9::kTsymlink, [](WireWriter& w) { w.u32(0); w.str("l"); w.str("t"); w.u32(0); }), erofs);
  EXPECT_EQ(dir_op(p9::kTlink, [](WireWriter& w) { w.u32(0); w.u32(1); w.str("l"); }), erofs);
  EXPECT_EQ(dir_op(p9::kTsetattr, [](WireWriter& w) { w.u32(1); w.u32(p9::kSetMode); w.u32(0777); w.u32(0); w.u32(0); for (int i = 0; i < 5; ++i) w.u64(0); }), erofs);
  EXPECT_EQ(dir_op(p9::kTremove, [](WireWriter& w) { w.u32(1); }), erofs);
  EXPECT_EQ(slurp(base_ / "share" / "hello.txt"), "hello from the host\n");
  EXPECT_EQ(fs::status(base_ / "share" / "hello.txt").permissions(), before);
}

TEST_F(P9Server, MalformedMessagesGetErrorsNotCrashes) {
  auto s = make();
  P9Client c(*s);
  c.start(8192);
  std::vector<uint8_t> reply;
  const uint8_t tiny[] = {3, 0, 0};
  EXPECT_FALSE(s->handle(tiny, sizeof tiny, 4096, reply));  // not even a header
  // A size field larger than the message, or than msize.
  std::vector<uint8_t> lie = {0xff, 0xff, 0, 0, p9::kTclunk, 1, 0, 0, 0, 0, 0};
  EXPECT_EQ(c.raw(lie).error, static_cast<uint32_t>(EMSGSIZE));
  // Fields missing at the end.
  std::vector<uint8_t> cut = {9, 0, 0, 0, p9::kTwalk, 1, 0, 0, 0};
  EXPECT_EQ(c.raw(cut).error, static_cast<uint32_t>(EINVAL));
  // Unknown fids, too many walk names, a write count beyond the message.
  EXPECT_EQ(c.lopen(77, 0).error, static_cast<uint32_t>(EBADF));
  EXPECT_EQ(c.read(77, 0, 10), P9Client::error_text(EBADF));
  EXPECT_EQ(c.walk(0, 1, std::vector<std::string>(17, "sub")).error, static_cast<uint32_t>(EINVAL));
  ASSERT_EQ(walked(c.walk(0, 1, {"hello.txt"})), 1);
  ASSERT_EQ(c.lopen(1, 02).error, 0u);
  auto r = c.call(p9::kTwrite, [](WireWriter& w) {
    w.u32(1);
    w.u64(0);
    w.u32(1000);  // but 3 bytes follow
    w.bytes("abc", 3);
  });
  EXPECT_EQ(r.error, static_cast<uint32_t>(EINVAL));
  EXPECT_EQ(slurp(base_ / "share" / "hello.txt"), "hello from the host\n");
  // A huge read count is cut to what the reply buffers (and msize) hold.
  EXPECT_EQ(c.read(1, 0, 0xffffffffu, 7 + 4 + 5), "hello");
  EXPECT_EQ(c.read(1, 1ull << 40, 10), "");  // past the end
  EXPECT_EQ(c.read(1, 0xffffffffffffffffull, 10), P9Client::error_text(EINVAL));  // beyond any file
  // A reply that does not fit at all.
  EXPECT_EQ(c.call(p9::kTgetattr, [](WireWriter& w) { w.u32(0); w.u64(0x7ff); }, 32).error,
            static_cast<uint32_t>(EMSGSIZE));
  // Unknown message types; flush and locks succeed trivially.
  EXPECT_EQ(c.call(200, [](WireWriter&) {}).error, static_cast<uint32_t>(EOPNOTSUPP));
  EXPECT_EQ(c.call(p9::kTflush, [](WireWriter& w) { w.u16(1); }).type, p9::kTflush + 1);
  EXPECT_EQ(c.call(p9::kTxattrwalk, [](WireWriter& w) { w.u32(0); w.u32(9); w.str("user.x"); }).error,
            static_cast<uint32_t>(EOPNOTSUPP));
  EXPECT_GT(s->counters.malformed, 0u);
}

TEST_F(P9Server, SnapshotReopensFidsByPath) {
  auto s = make();
  P9Client c(*s);
  c.start();
  ASSERT_EQ(walked(c.walk(0, 1, {"sub", "inner.txt"})), 2);
  ASSERT_EQ(c.lopen(1, 0).error, 0u);
  ASSERT_EQ(walked(c.walk(0, 2, {"hello.txt"})), 1);
  snapshot::StateWriter out;
  s->save_state(out);
  fs::remove(base_ / "share" / "hello.txt");  // gone while the VM was saved

  auto restored = make();
  snapshot::StateReader in(out.data().data(), out.data().size(), "9p");
  ASSERT_TRUE(restored->restore_state(in)) << in.error();
  EXPECT_EQ(restored->fid_count(), 2u);  // fid 0 and fid 1; fid 2's file is gone
  P9Client r(*restored);
  EXPECT_EQ(r.read(1, 0, 100), "inner");
  EXPECT_EQ(r.getattr(2).error, static_cast<uint32_t>(EBADF));
  // A path that leaves the share is refused outright.
  snapshot::StateWriter bad;
  bad.u32(8192);
  bad.u32(1);
  bad.u32(5);
  bad.string("../outside/secret.txt");
  bad.boolean(false);
  bad.boolean(true);
  bad.u32(0);
  snapshot::StateReader bad_in(bad.data().data(), bad.data().size(), "9p");
  EXPECT_FALSE(restored->restore_state(bad_in));
}

}  // namespace
}  // namespace vessel::test
