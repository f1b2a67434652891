// `vessel run --sandbox --share` (root only): the shared directory is bound into the jail,
// alone (not its parent or siblings), read-only for readonly=on, and the guest reads and
// writes it as the jail's uid.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "jail_inspect.h"
#include "support/guest_process.h"

namespace vessel::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr uid_t kUid = 271829;

TEST(JailedShare, OnlyTheSharedDirectoriesAreInTheJailAndTheGuestUsesThem) {
  if (geteuid() != 0) GTEST_SKIP() << "the jail needs root (namespaces, pivot_root, setuid)";
  const std::string guest = guest_dir();
  if (!fs::exists(guest + "/Image")) GTEST_SKIP() << "no test guest in " << guest;
  const fs::path dir = fs::path(testing::TempDir() + "/vessel-jailshare-" + std::to_string(getpid())).lexically_normal();
  fs::remove_all(dir);
  fs::create_directories(dir / "rw");
  fs::create_directories(dir / "ro");
  fs::create_directories(dir / "sibling");
  std::ofstream(dir / "rw" / "host.txt") << "from the host\n";
  std::ofstream(dir / "ro" / "kept.txt") << "kept\n";
  std::ofstream(dir / "sibling" / "private.txt") << "private\n";
  // The jailed uid writes as itself: the read-write share is its directory (docs/shares.md).
  ASSERT_EQ(chown((dir / "rw").c_str(), kUid, kUid), 0);
  GuestProcess vm({vessel_bin(), "run", "--kernel", guest + "/Image", "--initrd", guest + "/initramfs.cpio.gz",
                   "--append", "console=ttyS0 quiet", "--memory", "128M", "--sandbox", "--sandbox-uid",
                   std::to_string(kUid), "--share", "tag=rw,path=" + (dir / "rw").string(), "--share",
                   "tag=ro,path=" + (dir / "ro").string() + ",readonly=on"});
  ASSERT_TRUE(vm.expect("VESSEL-GUEST-READY", 120s)) << vm.output();
  const pid_t vmm = jailed_child(vm.pid());
  ASSERT_GT(vmm, 0);
  const std::string root = "/proc/" + std::to_string(vmm) + "/root";
  // The shares are there, at their host paths; nothing beside them is.
  EXPECT_TRUE(fs::exists(root + (dir / "rw" / "host.txt").string()));
  EXPECT_TRUE(fs::exists(root + (dir / "ro" / "kept.txt").string()));
  EXPECT_FALSE(fs::exists(root + (dir / "sibling").string()));
  for (const std::string& p : jail_tree(vmm)) {
    if (p.rfind(dir.string() + "/", 0) != 0) continue;
    EXPECT_TRUE(p.rfind((dir / "rw").string(), 0) == 0 || p.rfind((dir / "ro").string(), 0) == 0)
        << "unexpected path in the jail: " << p;
  }
  // The read-only share is a read-only bind in the jail's mount namespace.
  std::ifstream mounts("/proc/" + std::to_string(vmm) + "/mountinfo");
  bool ro_bind = false;
  std::string needle(1, ' ');  // appended: GCC 12 warns wrongly (-Wrestrict) on " " + string
  needle.append((dir / "ro").string()).append(" ");
  for (std::string line; std::getline(mounts, line);)
    if (line.find(needle) != std::string::npos && line.find(" ro,") != std::string::npos)
      ro_bind = true;
  EXPECT_TRUE(ro_bind) << "no read-only bind of " << (dir / "ro");

  vm.send("mkdir -p /a /b && mount -t 9p -o trans=virtio,version=9p2000.L rw /a && mount -t 9p -o "
          "trans=virtio,version=9p2000.L ro /b && echo mounted-$((1+1))\n");
  ASSERT_TRUE(vm.expect("mounted-2", 60s)) << vm.output();
  vm.send("cat /a/host.txt; echo jailed-write > /a/guest.txt; echo rc-$?; cat /b/kept.txt; touch /b/x; echo ro-rc-$?\n");
  ASSERT_TRUE(vm.expect("ro-rc-1", 60s)) << vm.output();
  EXPECT_NE(vm.output().find("from the host"), std::string::npos) << vm.output();
  EXPECT_NE(vm.output().find("rc-0"), std::string::npos) << vm.output();
  EXPECT_NE(vm.output().find("Read-only file system"), std::string::npos) << vm.output();
  vm.send("umount /a /b; poweroff -f\n");
  EXPECT_EQ(vm.wait_exit(60s), 0) << vm.output();
  std::string written;
  std::getline(std::ifstream(dir / "rw" / "guest.txt"), written);
  EXPECT_EQ(written, "jailed-write");
  struct stat st {};
  ASSERT_EQ(stat((dir / "rw" / "guest.txt").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kUid) << "files the guest makes belong to the jail's uid";
  EXPECT_FALSE(fs::exists(dir / "ro" / "x"));
  // The share keeps its owner and mode: it is not handed to the jail's group like a socket directory.
  ASSERT_EQ(stat((dir / "ro").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_EQ(st.st_mode & S_ISVTX, 0u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vessel::test
