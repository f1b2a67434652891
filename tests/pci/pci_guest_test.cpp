// A real guest with its disks and NICs on PCI (`bus=pci`), under both engines: 16 disks and 4
// NICs, more than the 8 virtio-mmio slots could hold. In the guest: every disk reads back its
// own contents and one is written, the NICs each get a DHCP lease over user networking, and
// sysfs shows the host bridge and 20 virtio-pci functions. Also: a snapshot of such a VM
// restores, and too many virtio-mmio devices are refused with a message naming bus=pci.
//
// Needs a guest kernel with CONFIG_PCI_HOST_GENERIC and CONFIG_VIRTIO_PCI (guest/linux.config
// has them): VESSEL_PCI_GUEST_DIR, else the default test guest, else the recipe's cache;
// without one the PCI guest tests are skipped, saying so.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "snapshot/control_client.h"
#include "support/guest_process.h"
#include "support/pci_guest.h"

namespace vessel::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr int kDisks = 16, kNics = 4;

std::string disk_marker(int i) {
  char b[32];
  snprintf(b, sizeof b, "PCI-DISK-%02d", i);
  return b;
}

class PciGuest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    std::string tried;
    guest_ = pci_guest_dir(tried);
    if (guest_.empty())
      GTEST_SKIP() << "no test guest whose kernel has CONFIG_PCI_HOST_GENERIC and CONFIG_VIRTIO_PCI (looked in"
                   << tried << "); build one with guest/build.sh (VESSEL_GUEST_CACHE=DIR) and set "
                   << "VESSEL_PCI_GUEST_DIR=DIR";
    std::string name = testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name)
      if (c == '/') c = '-';  // "Test/jit"
    dir_ = testing::TempDir() + "/vessel-pci-" + std::to_string(getpid()) + "-" + name;
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  std::string disk(int i) const { return dir_ + "/disk" + std::to_string(i) + ".raw"; }
  // 1 MiB raw disks that start with their marker.
  void make_disks(int n) const {
    for (int i = 0; i < n; ++i) {
      std::ofstream out(disk(i), std::ios::binary);
      std::string data = disk_marker(i) + "\n";
      data.resize(1 << 20, '\0');
      out << data;
    }
  }
  std::vector<std::string> args(int disks, int nics, std::vector<std::string> extra = {}) const {
    std::vector<std::string> a = {vessel_bin(), "run", "--kernel", guest_ + "/Image", "--initrd",
                                  guest_ + "/initramfs.cpio.gz", "--append", "console=ttyS0 quiet",
                                  "--memory", "256M", "--engine", GetParam()};
    for (int i = 0; i < disks; ++i) a.insert(a.end(), {"--drive", "file=" + disk(i) + ",format=raw,bus=pci"});
    for (int i = 0; i < nics; ++i) a.insert(a.end(), {"--net", "user,bus=pci"});
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  static void shell(GuestProcess& vm, const std::string& cmd, const std::string& done, std::chrono::seconds t = 120s) {
    vm.send(cmd + "\n");
    ASSERT_TRUE(vm.expect(done, t)) << "guest command: " << cmd << "\n" << vm.output();
  }
  std::string guest_, dir_;
};

TEST_P(PciGuest, SixteenDisksAndFourNicsOnPci) {
  make_disks(kDisks);
  GuestProcess vm(args(kDisks, kNics));
  ASSERT_TRUE(vm.expect("VESSEL-GUEST-READY", 180s)) << vm.output();
  ASSERT_TRUE(vm.expect("# ", 60s)) << vm.output();

  // Every disk, vda to vdp, in PCI slot order, reads its own first line.
  shell(vm, "for d in a b c d e f g h i j k l m n o p; do echo \"vd$d=$(head -n 1 /dev/vd$d)\"; done; echo DISKS-''DONE",
        "DISKS-DONE");
  for (int i = 0; i < kDisks; ++i) {
    const std::string line = std::string("vd") + static_cast<char>('a' + i) + "=" + disk_marker(i);
    EXPECT_NE(vm.output().find(line), std::string::npos) << line << "\n" << vm.output();
  }
  // The bus as the guest sees it: QEMU's host bridge and 20 virtio functions, 4 of them NICs.
  shell(vm,
        "echo bridge=$(cat /sys/bus/pci/devices/0000:00:00.0/vendor):$(cat /sys/bus/pci/devices/0000:00:00.0/device) "
        "virtio=$(grep -l 0x1af4 /sys/bus/pci/devices/*/vendor | wc -l) "
        "blk=$(grep -l 0x1042 /sys/bus/pci/devices/*/device | wc -l) "
        "nics=$(ls -d /sys/class/net/eth* | wc -l); echo BUS-''DONE",
        "BUS-DONE");
  EXPECT_NE(vm.output().find("bridge=0x1b36:0x0008 virtio=20 blk=16 nics=4"), std::string::npos) << vm.output();

  // Each NIC works: a DHCP exchange with its own user-mode network.
  shell(vm,
        "for i in 0 1 2 3; do udhcpc -i eth$i -n -q -t 10 -T 2 >/dev/null 2>&1 && echo lease-eth$i; done; "
        "echo DHCP-''DONE",
        "DHCP-DONE");
  for (int i = 0; i < kNics; ++i)
    EXPECT_NE(vm.output().find("lease-eth" + std::to_string(i) + "\r\n"), std::string::npos) << i << vm.output();

  // Writes reach the image (the last disk, behind the last slot's interrupt wire).
  shell(vm, "echo written-by-guest | dd of=/dev/vdp bs=512 seek=8 conv=notrunc,fsync 2>/dev/null; echo WRITE-''DONE",
        "WRITE-DONE");
  vm.send("poweroff -f\n");
  EXPECT_EQ(vm.wait_exit(60s), 0) << vm.output();
  std::ifstream in(disk(kDisks - 1), std::ios::binary);
  std::string sector(17, '\0');
  in.seekg(4096);
  in.read(sector.data(), 17);
  EXPECT_EQ(sector, "written-by-guest\n");
}

TEST_P(PciGuest, SnapshotOfAVmWithPciDevicesRestores) {
  make_disks(2);
  const std::string sock = dir_ + "/control.sock", snap = dir_ + "/vm.snap";
  {
    GuestProcess vm(args(2, 1, {"--control", sock}));
    ASSERT_TRUE(vm.expect("VESSEL-GUEST-READY", 180s)) << vm.output();
    ASSERT_TRUE(vm.expect("# ", 60s)) << vm.output();
    shell(vm, "head -n 1 /dev/vdb; echo READ-''DONE", "READ-DONE");
    EXPECT_NE(vm.output().find(disk_marker(1)), std::string::npos) << vm.output();
    const auto r = control(sock, {{"op", "snapshot"}, {"path", snap}});
    ASSERT_TRUE(r.is_object() && r.value("ok", false)) << r.dump();
    EXPECT_TRUE(control(sock, {{"op", "stop"}}).value("ok", false));
    EXPECT_EQ(vm.wait_exit(60s), 0) << vm.output();
  }
  // The restored guest's drivers keep using the BARs and queues they set up before (vda was
  // not read before the snapshot: its contents come from the device now).
  GuestProcess vm({vessel_bin(), "run", "--restore", snap, "--engine", GetParam(), "--control", sock});
  ASSERT_TRUE(wait_for_vm(sock, 60s)) << vm.output();
  shell(vm, "head -n 1 /dev/vda; head -n 1 /dev/vdb; echo AGAIN-''DONE",
        "AGAIN-DONE");
  EXPECT_NE(vm.output().find(disk_marker(0)), std::string::npos) << vm.output();
  shell(vm, "udhcpc -i eth0 -n -q -t 10 -T 2 >/dev/null 2>&1 && echo lease-''ok; echo DHCP-''DONE", "DHCP-DONE");
  EXPECT_NE(vm.output().find("lease-ok"), std::string::npos) << vm.output();
  vm.send("poweroff -f\n");
  EXPECT_EQ(vm.wait_exit(60s), 0) << vm.output();
}

INSTANTIATE_TEST_SUITE_P(Engines, PciGuest, ::testing::Values("jit", "interp"),
                         [](const auto& info) { return std::string(info.param); });

// Without a PCI kernel too: more disks and NICs than virtio-mmio has room for are refused
// before the guest starts, with the way out named.
TEST(PciOptions, TooManyMmioDevicesNameBusPci) {
  const std::string guest = guest_dir();
  ASSERT_TRUE(fs::exists(guest + "/Image")) << "no test guest";
  const std::string img = testing::TempDir() + "/vessel-pci-opt-" + std::to_string(getpid()) + ".raw";
  { std::ofstream(img, std::ios::binary) << std::string(4096, '\0'); }
  std::vector<std::string> a = {vessel_bin(), "run", "--kernel", guest + "/Image", "--append", "console=ttyS0"};
  for (int i = 0; i < 4; ++i) a.insert(a.end(), {"--drive", "file=" + img + ",readonly=on"});
  for (int i = 0; i < 2; ++i) a.insert(a.end(), {"--net", "user"});
  GuestProcess g(a);
  EXPECT_EQ(g.wait_exit(30s), 2) << g.output();
  EXPECT_NE(g.output().find("6 disks and NICs on virtio-mmio, which has room for 5"), std::string::npos) << g.output();
  EXPECT_NE(g.output().find("bus=pci"), std::string::npos) << g.output();
  // Bad bus names are usage errors.
  GuestProcess bad({vessel_bin(), "run", "--kernel", guest + "/Image", "--drive", "file=" + img + ",bus=isa"});
  EXPECT_EQ(bad.wait_exit(30s), 2) << bad.output();
  EXPECT_NE(bad.output().find("bus must be mmio or pci"), std::string::npos) << bad.output();
  fs::remove(img);
}

}  // namespace
}  // namespace vessel::test
