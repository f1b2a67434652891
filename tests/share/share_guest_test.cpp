// Boots the test guest with shared host directories through the real `vessel run`: the guest
// mounts them with Linux's v9fs and a probe program (share_probe.c, cross-built) checks
// reads and writes both ways (byte for byte, several MiB, md5 compared), permissions, rename,
// mmap, a read-only share, escapes through `..`, symlinks and hard links, a snapshot and
// restore with a file held open, and bad --share options.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "snapshot/control_client.h"
#include "support/cpio_archive.h"
#include "support/guest_process.h"
#include "support/pci_guest.h"

namespace vessel::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr size_t kMapped = 1u << 20, kHostBig = 8u << 20;

// Must match pattern_byte() in share_probe.c.
uint8_t pattern_byte(uint64_t i) { return static_cast<uint8_t>((i ^ (i >> 8) ^ (i >> 16)) * 13u + 5u); }

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void put(const fs::path& p, const std::string& data) { std::ofstream(p, std::ios::binary) << data; }

// md5 of a host file, by the host's md5sum (the guest's busybox prints the same format).
std::string md5_of(const fs::path& p) {
  const std::string cmd = "md5sum '" + p.string() + "'";
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return "no md5sum";
  char buf[64] = {};
  const size_t n = fread(buf, 1, 32, f);
  pclose(f);
  return std::string(buf, n);
}

// The value after "KEY: " in the console output, up to the end of its line.
std::string field(const std::string& out, const std::string& key) {
  const size_t at = out.find(key + ": ");
  if (at == std::string::npos) return "(missing " + key + ")";
  const size_t start = at + key.size() + 2;
  const size_t end = out.find_first_of("\r\n", start);
  return out.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

bool has(const std::string& out, const std::string& text) { return out.find(text) != std::string::npos; }

constexpr const char* kMount = "mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144";

// The main guest script: everything the host then checks. /mnt is the read-write share
// "hostshare", /ro the read-only "roshare".
const std::string kShareScript = std::string("#!/bin/sh\nP=/etc/share_probe\nM=/mnt\nmkdir -p /mnt /ro\n") + kMount +
                                 " hostshare /mnt || exit 1\n" + kMount + " roshare /ro || exit 1\n" + R"SH(
echo "host-file: $(cat $M/host.txt)"
echo "host-big-md5: $(md5sum $M/host_big | cut -d' ' -f1)"
echo "written by the guest" > $M/guest.txt
dd if=/dev/urandom of=/tmp/guest_big bs=65536 count=96 2>/dev/null
cp /tmp/guest_big $M/guest_big
echo "guest-big-md5: $(md5sum /tmp/guest_big | cut -d' ' -f1)"
echo "guest-big-back-md5: $(md5sum $M/guest_big | cut -d' ' -f1)"
chmod 0640 $M/guest.txt
mv $M/guest.txt $M/renamed.txt
mkdir $M/newdir && echo inside > $M/newdir/f
echo "listing: $(ls $M | tr '\n' ' ')"
$P mmap-read $M/mapped
$P read $M/escape_rel
$P read $M/escape_abs
$P symlink /etc/passwd $M/guest_link
$P read $M/guest_link
echo guest-outside > /tmp/outside.txt
$P link /tmp/outside.txt $M/hard_outside
$P link $M/host.txt $M/hard_inside
echo "dotdot: $(ls $M/.. | tr '\n' ' ')"
$P create /ro/new
$P mkdir /ro/dir
$P unlink /ro/kept.txt
$P chmod /ro/kept.txt 777
$P rename /ro/kept.txt /ro/moved.txt
$P read /ro/kept.txt
umount /mnt
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=mmap hostshare /mnt || exit 1
$P mmap-write $M/mmapped 1048576
sync
umount /mnt
umount /ro
echo share-test-done
)SH";

class ShareGuest : public testing::Test {
 protected:
  static std::string compose_for(const std::string& dir, const std::string& tag) {
    const std::string probe = slurp(SHARE_PROBE_BIN);
    if (probe.empty()) return {};
    const std::string path = testing::TempDir() + "/vessel-share-" + std::to_string(getpid()) + "-" + tag + ".cpio.gz";
    // Held open across a snapshot: fd 3 is read after the restore, once the host says "go".
    const std::string snap_script = std::string("#!/bin/sh\nmkdir -p /mnt\n") + kMount + R"SH( hostshare /mnt || exit 1
exec 3< /mnt/host.txt
echo before > /mnt/before.txt
echo share-ready
while [ ! -e /mnt/go ]; do sleep 0.1; done
echo "after-restore: $(cat <&3)"
echo after > /mnt/after.txt
echo "listing: $(ls /mnt | tr '\n' ' ')"
umount /mnt
)SH";
    const bool ok = compose_initramfs(dir + "/initramfs.cpio.gz",
                                      {{"etc", 040755, ""},
                                       {"etc/run", 040755, ""},
                                       {"etc/share_probe", 0100755, probe},
                                       {"etc/run/share.sh", 0100755, kShareScript},
                                       {"etc/run/sharesnap.sh", 0100755, snap_script}},
                                      path);
    return ok ? path : std::string{};
  }
  static void SetUpTestSuite() {
    if (!std::string(SHARE_PROBE_BIN).empty()) initrd_ = compose_for(guest_dir(), "default");
  }
  static void TearDownTestSuite() {
    if (!initrd_.empty()) unlink(initrd_.c_str());
  }
  void SetUp() override {
    if (std::string(SHARE_PROBE_BIN).empty())
      GTEST_SKIP() << "riscv64-linux-gnu-gcc was not found at configure time: no guest program to run";
    ASSERT_FALSE(initrd_.empty()) << "could not compose the test initramfs";
    base_ = fs::path(testing::TempDir()) / ("vessel-share-" + std::to_string(getpid()) + "-" +
                                            testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    fs::create_directories(base_ / "share");
    fs::create_directories(base_ / "ro");
    fs::create_directories(base_ / "outside");
    put(base_ / "share" / "host.txt", "made on the host\n");
    std::string big(kHostBig, '\0');
    std::mt19937_64 rng(42);
    for (auto& c : big) c = static_cast<char>(rng());
    put(base_ / "share" / "host_big", big);
    std::string mapped(kMapped, '\0');
    for (size_t i = 0; i < kMapped; ++i) mapped[i] = static_cast<char>(pattern_byte(i));
    put(base_ / "share" / "mapped", mapped);
    put(base_ / "outside" / "secret.txt", "HOST-SECRET-OUTSIDE-THE-SHARE\n");
    fs::create_symlink("../outside/secret.txt", base_ / "share" / "escape_rel");
    fs::create_symlink(base_ / "outside" / "secret.txt", base_ / "share" / "escape_abs");
    put(base_ / "ro" / "kept.txt", "read-only content\n");
  }
  void TearDown() override {
    if (!base_.empty()) fs::remove_all(base_);
  }
  std::vector<std::string> args(const std::string& run, std::string dir = {}, std::string initrd = {},
                                const std::string& bus = "") const {
    if (dir.empty()) dir = guest_dir();
    if (initrd.empty()) initrd = initrd_;
    return {vessel_bin(), "run", "--kernel", dir + "/Image", "--initrd", initrd, "--append",
            "console=ttyS0 quiet run=" + run, "--share", "tag=hostshare,path=" + (base_ / "share").string() + bus,
            "--share", "tag=roshare,path=" + (base_ / "ro").string() + ",readonly=on" + bus};
  }
  // Boots `args` (run=share) and checks everything the script did, on the host.
  void share_with_guest(const std::vector<std::string>& args);

  static inline std::string initrd_;
  fs::path base_;
};

void ShareGuest::share_with_guest(const std::vector<std::string>& args) {
  GuestProcess vm(args);
  ASSERT_TRUE(vm.expect("share-test-done", 300s)) << vm.output();
  EXPECT_EQ(vm.wait_exit(60s), 0) << vm.output();
  const std::string out = vm.output();
  const fs::path share = base_ / "share";
  // Host to guest, byte for byte.
  EXPECT_EQ(field(out, "host-file"), "made on the host") << out;
  EXPECT_EQ(field(out, "host-big-md5"), md5_of(share / "host_big")) << out;
  // Guest to host: a 6 MiB file of random bytes, the same on both sides.
  EXPECT_EQ(fs::file_size(share / "guest_big"), 96u * 65536u);
  EXPECT_EQ(field(out, "guest-big-md5"), md5_of(share / "guest_big")) << out;
  EXPECT_EQ(field(out, "guest-big-back-md5"), field(out, "guest-big-md5")) << out;
  // Rename and chmod show on the host.
  EXPECT_FALSE(fs::exists(share / "guest.txt"));
  EXPECT_EQ(slurp(share / "renamed.txt"), "written by the guest\n");
  EXPECT_EQ(fs::status(share / "renamed.txt").permissions(), fs::perms(0640));
  EXPECT_EQ(slurp(share / "newdir" / "f"), "inside\n");
  EXPECT_TRUE(has(field(out, "listing"), "host_big")) << out;
  // mmap: a read-only mapping of a host file, and a file the guest wrote through a shared mapping.
  EXPECT_TRUE(has(out, "probe mmap-read /mnt/mapped ok 1048576")) << out;
  EXPECT_TRUE(has(out, "probe mmap-write /mnt/mmapped ok 1048576")) << out;
  const std::string mmapped = slurp(share / "mmapped");
  ASSERT_EQ(mmapped.size(), kMapped);
  for (size_t i = 0; i < kMapped; ++i)
    ASSERT_EQ(static_cast<uint8_t>(mmapped[i]), pattern_byte(i)) << "mmapped differs at byte " << i;
  // Escapes. Host-made links pointing outside resolve in the guest's own tree, where there is
  // no such file; a guest-made link is stored as text and never followed by the host; a hard
  // link to a file outside the mount is refused by the guest kernel (another filesystem);
  // ".." of the mount point is the guest's own root.
  EXPECT_FALSE(has(out, "HOST-SECRET")) << out;
  EXPECT_TRUE(has(out, "probe read /mnt/escape_rel errno=ENOENT")) << out;
  EXPECT_TRUE(has(out, "probe read /mnt/escape_abs errno=ENOENT")) << out;
  EXPECT_TRUE(has(out, "probe symlink /etc/passwd ok")) << out;
  EXPECT_TRUE(fs::is_symlink(share / "guest_link"));
  EXPECT_EQ(fs::read_symlink(share / "guest_link"), "/etc/passwd");
  EXPECT_FALSE(has(out, "root:x:0:0")) << out;  // the host's passwd never reaches the guest
  EXPECT_TRUE(has(out, "probe link /tmp/outside.txt errno=EXDEV")) << out;
  EXPECT_FALSE(fs::exists(share / "hard_outside"));
  EXPECT_TRUE(has(out, "probe link /mnt/host.txt ok")) << out;
  EXPECT_EQ(fs::hard_link_count(share / "host.txt"), 2u);
  EXPECT_TRUE(has(field(out, "dotdot"), "proc")) << out;  // the guest's /, not the host's
  EXPECT_FALSE(has(field(out, "dotdot"), "outside")) << out;
  EXPECT_EQ(slurp(base_ / "outside" / "secret.txt"), "HOST-SECRET-OUTSIDE-THE-SHARE\n");
  // The read-only share: every write is EROFS, reading works, nothing changed.
  for (const char* probe : {"create /ro/new", "mkdir /ro/dir", "unlink /ro/kept.txt", "chmod /ro/kept.txt",
                            "rename /ro/kept.txt"})
    EXPECT_TRUE(has(out, std::string("probe ") + probe + " errno=EROFS")) << probe << "\n" << out;
  EXPECT_TRUE(has(out, "probe read /ro/kept.txt ok 18 bytes: read-only content")) << out;
  EXPECT_EQ(std::distance(fs::directory_iterator(base_ / "ro"), fs::directory_iterator{}), 1);
  EXPECT_EQ(fs::status(base_ / "ro" / "kept.txt").permissions(), fs::perms(0644));
}

TEST_F(ShareGuest, ReadsWritesRenamesMapsAndCannotEscape) { share_with_guest(args("share")); }

TEST_F(ShareGuest, WorksUnderTheInterpreter) {
  std::vector<std::string> a = args("share");
  a.insert(a.end(), {"--engine", "interp"});
  share_with_guest(a);
}

TEST_F(ShareGuest, WorksOnPci) {
  std::string tried;
  const std::string dir = pci_guest_dir(tried);
  if (dir.empty())
    GTEST_SKIP() << "no test guest whose kernel has CONFIG_PCI_HOST_GENERIC and CONFIG_VIRTIO_PCI (looked in" << tried
                 << "); set VESSEL_PCI_GUEST_DIR";
  const std::string initrd = compose_for(dir, "pci");
  ASSERT_FALSE(initrd.empty());
  share_with_guest(args("share", dir, initrd, ",bus=pci"));
  unlink(initrd.c_str());
}

// The same under the jail (root only): every call the 9p server makes is on the I/O thread's
// allow-list (a missing one kills the VMM with SIGSYS), and the jail's uid owns the share.
TEST_F(ShareGuest, WorksJailed) {
  if (geteuid() != 0) GTEST_SKIP() << "the jail needs root (namespaces, pivot_root, setuid)";
  constexpr uid_t kUid = 271830;
  for (const auto& e : fs::recursive_directory_iterator(base_ / "share"))
    ASSERT_EQ(lchown(e.path().c_str(), kUid, kUid), 0) << e.path();
  ASSERT_EQ(chown((base_ / "share").c_str(), kUid, kUid), 0);
  std::vector<std::string> a = args("share");
  a.insert(a.end(), {"--sandbox", "--sandbox-uid", std::to_string(kUid)});
  share_with_guest(a);
  struct stat st {};
  ASSERT_EQ(stat((base_ / "share" / "renamed.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kUid);
}

// A snapshot taken while the guest has the share mounted and a file open: after the restore
// the fids are reopened by path, so the open file reads and the mount keeps working.
TEST_F(ShareGuest, RestoreKeepsTheMountAndOpenFiles) {
  const std::string control_sock = (base_ / "control").string(), snap = (base_ / "vm.snap").string();
  std::vector<std::string> a = args("sharesnap");
  a.insert(a.end(), {"--control", control_sock});
  {
    GuestProcess vm(a);
    ASSERT_TRUE(vm.expect("share-ready", 120s)) << vm.output();
    const auto r = control(control_sock, {{"op", "snapshot"}, {"path", snap}});
    ASSERT_TRUE(r.is_object() && r.value("ok", false)) << r.dump();
    EXPECT_TRUE(control(control_sock, {{"op", "stop"}}).value("ok", false));
    EXPECT_EQ(vm.wait_exit(60s), 0) << vm.output();
  }
  EXPECT_EQ(slurp(base_ / "share" / "before.txt"), "before\n");
  put(base_ / "share" / "go", "");  // the restored guest carries on once it sees this
  GuestProcess vm({vessel_bin(), "run", "--restore", snap, "--control", control_sock});
  ASSERT_TRUE(vm.expect("VESSEL-RUN-EXIT=", 120s)) << vm.output();
  EXPECT_EQ(field(vm.output(), "after-restore"), "made on the host") << vm.output();
  EXPECT_TRUE(has(field(vm.output(), "listing"), "go")) << vm.output();
  EXPECT_EQ(slurp(base_ / "share" / "after.txt"), "after\n");
  EXPECT_EQ(vm.wait_exit(60s), 0) << vm.output();
}

TEST(ShareOptions, BadOptionsExitWithStatus2AndSayWhy) {
  const std::string dir = testing::TempDir();
  const struct {
    std::vector<std::string> shares;
    const char* message;
  } cases[] = {
      {{"path=" + dir}, "tag=NAME is required"},
      {{"tag=x"}, "path=DIR is required"},
      {{"tag=x,path=/nonexistent/dir"}, "/nonexistent/dir is not a directory"},
      {{"tag=x,path=" + dir, "tag=x,path=" + dir}, "tag 'x' is given twice"},
      {{"tag=a b,path=" + dir}, "tag must be 1 to 64 letters"},
      {{"tag=x,path=" + dir + ",readonly=maybe"}, "readonly must be on or off"},
      {{"tag=x,path=" + dir + ",cache=loose"}, "unknown option 'cache'"},
      {{"tag"}, "not of the form key=value"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> a = {vessel_bin(), "run", "--kernel", guest_dir() + "/Image"};
    for (const auto& s : c.shares) a.insert(a.end(), {"--share", s});
    GuestProcess vm(a);
    EXPECT_EQ(vm.wait_exit(30s), 2) << c.shares[0] << ": " << vm.output();
    EXPECT_NE(vm.output().find(c.message), std::string::npos) << c.shares[0] << ": " << vm.output();
  }
}

}  // namespace
}  // namespace vessel::test
