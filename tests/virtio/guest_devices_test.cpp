// Markers the tests wait for are written so the shell's echo of the command cannot match
// (echo FILL""ED prints FILLED).
// Guests using virtio devices the way a user would: an ext4 disk made on the host, a qcow2
// overlay checked by qemu-img afterwards, the balloon returning memory, virtio-console, rng.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "support/guest_process.h"

namespace vessel::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string sh(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  while (p && fgets(buf, sizeof buf, p)) out += buf;
  const int st = p ? pclose(p) : -1;
  if (status) *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

class GuestDevices : public ::testing::Test {
 protected:
  void SetUp() override {
    guest_ = guest_dir();
    ASSERT_TRUE(fs::exists(guest_ + "/Image")) << "no test guest";
    dir_ = testing::TempDir() + "/vessel-virtio-" + std::to_string(getpid()) + "-" +
           testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_ + "/content");
    std::ofstream(dir_ + "/content/hello.txt") << "from-host\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::vector<std::string> vm(const std::string& append, std::vector<std::string> extra) const {
    std::vector<std::string> a = {vessel_bin(), "run", "--kernel", guest_ + "/Image", "--initrd",
                                  guest_ + "/initramfs.cpio.gz", "--append", append};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  void make_ext4(const std::string& image) {
    int st;
    const std::string out = sh("mkfs.ext4 -q -F -d " + dir_ + "/content " + image + " 64M", &st);
    ASSERT_EQ(st, 0) << out;
  }
  // Boots with the disk, reads the host's file, writes one, and powers off.
  void write_from_guest(const std::string& drive) {
    GuestProcess g(vm("console=ttyS0 quiet", {"--drive", drive}));
    ASSERT_TRUE(g.expect("VESSEL-GUEST-READY", 120s)) << g.output();
    g.send("mkdir -p /mnt && mount /dev/vda /mnt && cat /mnt/hello.txt\n");
    EXPECT_TRUE(g.expect("from-host", 60s)) << g.output();
    g.send("echo from-guest > /mnt/new.txt && sync && umount /mnt && echo WROTE\"\"-OK\n");
    EXPECT_TRUE(g.expect("WROTE-OK", 60s)) << g.output();
    g.send("poweroff -f\n");
    EXPECT_EQ(g.wait_exit(60s), 0) << g.output();
  }
  std::string guest_, dir_;
};

TEST_F(GuestDevices, Ext4OnRawDisk) {
  const std::string disk = dir_ + "/disk.raw";
  make_ext4(disk);
  write_from_guest("file=" + disk + ",format=raw");
  EXPECT_NE(sh("debugfs -R 'cat /new.txt' " + disk).find("from-guest"), std::string::npos);
}

TEST_F(GuestDevices, Qcow2OverlayOverBackingFile) {
  const std::string base = dir_ + "/base.raw", overlay = dir_ + "/overlay.qcow2", flat = dir_ + "/flat.raw";
  make_ext4(base);
  int st;
  std::string out = sh("qemu-img create -q -f qcow2 -b " + base + " -F raw " + overlay, &st);
  ASSERT_EQ(st, 0) << out;
  write_from_guest("file=" + overlay);
  out = sh("qemu-img check " + overlay, &st);
  EXPECT_EQ(st, 0) << out;
  out = sh("qemu-img convert -O raw " + overlay + " " + flat, &st);
  ASSERT_EQ(st, 0) << out;
  EXPECT_NE(sh("debugfs -R 'cat /new.txt' " + flat).find("from-guest"), std::string::npos);
  // The backing file is untouched.
  EXPECT_NE(sh("debugfs -R 'cat /new.txt' " + base).find("not found"), std::string::npos);
}

TEST_F(GuestDevices, ReadOnlyDriveRefusesWrites) {
  const std::string disk = dir_ + "/ro.raw";
  make_ext4(disk);
  GuestProcess g(vm("console=ttyS0 quiet", {"--drive", "file=" + disk + ",readonly=on"}));
  ASSERT_TRUE(g.expect("VESSEL-GUEST-READY", 120s)) << g.output();
  g.send("cat /sys/block/vda/ro; mkdir -p /mnt && mount -o ro /dev/vda /mnt && cat /mnt/hello.txt\n");
  EXPECT_TRUE(g.expect("1\r\n", 60s)) << g.output();
  EXPECT_TRUE(g.expect("from-host", 60s)) << g.output();
  g.send("poweroff -f\n");
  EXPECT_EQ(g.wait_exit(60s), 0);
}

// One JSON request over the VMM control socket.
std::string control(const std::string& path, const std::string& request) {
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return {};
  }
  const std::string line = request + "\n";
  (void)!write(fd, line.data(), line.size());
  std::string answer;
  char c;
  while (read(fd, &c, 1) == 1 && c != '\n') answer += c;
  close(fd);
  return answer;
}

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  long value = 0;
  while (in >> key) {
    if (key == "VmRSS:") {
      in >> value;
      return value;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

// Polls the VMM's status (bounded, about a minute) until it contains `needle`: the balloon
// driver moves in steps on its own schedule, and the status is how it reports progress.
bool wait_for_status(const std::string& sock, const std::string& needle) {
  for (int i = 0; i < 600; ++i) {
    if (control(sock, R"({"op":"status"})").find(needle) != std::string::npos) return true;
    usleep(100000);
  }
  return false;
}

TEST_F(GuestDevices, BalloonReturnsMemoryToTheHost) {
  const std::string sock = dir_ + "/control.sock";
  GuestProcess g(vm("console=ttyS0 quiet", {"--memory", "256M", "--control", sock}));
  ASSERT_TRUE(g.expect("VESSEL-GUEST-READY", 120s)) << g.output();
  g.send("dd if=/dev/zero of=/tmp/fill bs=1M count=150 2>/dev/null; rm /tmp/fill; echo FILL\"\"ED\n");
  ASSERT_TRUE(g.expect("FILLED", 120s)) << g.output();
  const long before = rss_kib(g.vmm_pid());
  EXPECT_NE(control(sock, R"({"op":"balloon","bytes":209715200})").find("\"ok\":true"), std::string::npos);
  ASSERT_TRUE(wait_for_status(sock, "\"actual_bytes\":209715200")) << control(sock, R"({"op":"status"})");
  const long after = rss_kib(g.vmm_pid());
  EXPECT_LT(after, before - 80 * 1024) << "RSS before " << before << " KiB, after " << after << " KiB";
  const std::string stats = control(sock, R"({"op":"balloon-stats"})");
  EXPECT_NE(stats.find("\"stats\":{\""), std::string::npos) << stats;  // the driver reported statistics
  EXPECT_NE(control(sock, R"({"op":"balloon","bytes":0})").find("\"ok\":true"), std::string::npos);
  EXPECT_TRUE(wait_for_status(sock, "\"actual_bytes\":0")) << control(sock, R"({"op":"status"})");
  g.send("poweroff -f\n");
  EXPECT_EQ(g.wait_exit(60s), 0);
}

// Free page reporting: memory the guest frees goes back to the host without a balloon
// target (the driver reports free 2 MiB blocks a few seconds after they are freed).
TEST_F(GuestDevices, FreedGuestMemoryIsReportedAndReturned) {
  const std::string sock = dir_ + "/control.sock";
  GuestProcess g(vm("console=ttyS0 quiet", {"--memory", "256M", "--control", sock}));
  ASSERT_TRUE(g.expect("VESSEL-GUEST-READY", 120s)) << g.output();
  g.send("dd if=/dev/zero of=/tmp/fill bs=1M count=150 2>/dev/null; echo FILL\"\"ED\n");
  ASSERT_TRUE(g.expect("FILLED", 120s)) << g.output();
  const long filled = rss_kib(g.vmm_pid());
  g.send("rm /tmp/fill; echo FRE\"\"ED\n");
  ASSERT_TRUE(g.expect("FREED", 60s)) << g.output();
  // Bounded poll: reporting runs on the guest's schedule.
  long now = filled;
  for (int i = 0; i < 600 && now > filled - 100 * 1024; ++i) {
    usleep(100000);
    now = rss_kib(g.vmm_pid());
  }
  EXPECT_LT(now, filled - 100 * 1024) << "RSS with the file " << filled << " KiB, after freeing it " << now << " KiB";
  const std::string stats = control(sock, R"({"op":"balloon-stats"})");
  EXPECT_EQ(stats.find("\"pages_reported_free\":0,"), std::string::npos) << stats;
  g.send("poweroff -f\n");
  EXPECT_EQ(g.wait_exit(60s), 0);
}

TEST_F(GuestDevices, VirtioConsoleAsTheGuestConsole) {
  // This kernel's hvc0 is the SBI console; virtio-console is hvc1.
  GuestProcess g(vm("console=hvc1 quiet", {}));
  ASSERT_TRUE(g.expect("VESSEL-GUEST-READY", 120s)) << g.output();
  g.send("tty; echo sum=$((20 + 22))\n");
  EXPECT_TRUE(g.expect("/dev/hvc1", 60s)) << g.output();
  EXPECT_TRUE(g.expect("sum=42", 60s)) << g.output();
  g.send("poweroff -f\n");
  EXPECT_EQ(g.wait_exit(60s), 0);
}

TEST_F(GuestDevices, SbiConsoleAsHvc0) {
  GuestProcess g(vm("console=hvc0 quiet", {}));
  ASSERT_TRUE(g.expect("VESSEL-GUEST-READY", 120s)) << g.output();
  g.send("tty\n");
  EXPECT_TRUE(g.expect("/dev/hvc0", 60s)) << g.output();
  g.send("poweroff -f\n");
  EXPECT_EQ(g.wait_exit(60s), 0);
}

TEST_F(GuestDevices, EntropyFromVirtioRng) {
  GuestProcess g(vm("console=ttyS0 quiet", {}));
  ASSERT_TRUE(g.expect("VESSEL-GUEST-READY", 120s)) << g.output();
  g.send("cat /sys/class/misc/hw_random/rng_current; head -c 4096 /dev/hwrng | wc -c\n");
  EXPECT_TRUE(g.expect("virtio_rng", 60s)) << g.output();
  EXPECT_TRUE(g.expect("4096\r\n", 60s)) << g.output();
  g.send("poweroff -f\n");
  EXPECT_EQ(g.wait_exit(60s), 0);
}

TEST_F(GuestDevices, BadDriveOptions) {
  for (const char* spec : {"format=raw", "file=/nonexistent.img", "file=x,format=vmdk", "file=x,bogus=1",
                           "file=x,readonly=maybe"}) {
    GuestProcess g(vm("console=ttyS0", {"--drive", spec}));
    EXPECT_EQ(g.wait_exit(30s), 2) << spec << ": " << g.output();
  }
}

}  // namespace
}  // namespace vessel::test
