// A stock Debian trixie riscv64 system (guest/debian/build.sh: Debian's kernel, its
// initramfs-tools initramfs, systemd on a virtio disk) booted the way its users boot it:
// to multi-user.target on 1, 2 and 4 harts, DHCP on virtio-net, ssh through hostfwd, gcc,
// poweroff; from a raw disk and from a qcow2 overlay; directly and through OpenSBI + U-Boot.
// On 2 harts this guest deadlocked before cross-hart waits served their own hart's remote
// fences (SMP fix 681e3a1): udev's module loading in the initramfs sends fences both ways.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "debian/debian_guest.h"

namespace vessel::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class DebianBoot : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    image_ = find_debian_image(why);
    if (image_.dir.empty()) GTEST_SKIP() << why;
    work_ = testing::TempDir() + "/vessel-debian-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(work_);
    port_ = free_port();
    ASSERT_GT(port_, 0);
  }
  void TearDown() override {
    std::error_code ec;
    if (!work_.empty()) fs::remove_all(work_, ec);
  }
  enum class Boot { Kernel, Firmware };
  std::vector<std::string> args(const std::string& disk, unsigned cpus, Boot boot = Boot::Kernel,
                                const std::string& bus = "mmio") const {
    std::vector<std::string> a = {vessel_bin(), "run", "--memory", "1G", "--cpus", std::to_string(cpus), "--drive",
                                  "file=" + disk + ",bus=" + bus, "--net",
                                  "user,hostfwd=tcp:127.0.0.1:" + std::to_string(port_) + "-:22,bus=" + bus};
    const bool direct_kernel = boot == Boot::Kernel;
    if (direct_kernel) {
      a.insert(a.end(), {"--kernel", image_.kernel(), "--initrd", image_.initrd(), "--append", image_.cmdline});
    } else {
      a.insert(a.end(), {"--firmware", "uboot"});
    }
    return a;
  }
  // What a user checks after a boot: the system is up with nothing failed, the NIC has its
  // DHCP lease, ssh works and gcc builds and runs a program; then poweroff ends the VMM.
  void check_system_and_power_off(GuestProcess& vm, unsigned cpus) {
    ASSERT_TRUE(vm.expect("root@debian-vessel", 600s)) << "no root shell on the console\n" << vm.output();
    ASSERT_TRUE(console_ready(vm, 120s)) << vm.output();
    EXPECT_EQ(console_run(vm, "systemctl is-system-running --wait; systemctl --failed --no-legend --plain", 600s), 0)
        << vm.output();
    EXPECT_EQ(console_run(vm, "test $(nproc) = " + std::to_string(cpus), 30s), 0) << vm.output();
    EXPECT_EQ(console_run(vm, "ip -4 addr show scope global | grep -q 'inet 10.0.2.15/'", 30s), 0) << vm.output();
    const auto hello = ssh_run(image_, port_, "root",
                               "printf '#include <stdio.h>\\nint main(void){puts(\"built-in-guest\");return 7;}\\n' "
                               "> /tmp/t.c && gcc -O2 /tmp/t.c -o /tmp/t && /tmp/t",
                               300s);
    EXPECT_EQ(hello.status, 7) << hello.output;
    EXPECT_NE(hello.output.find("built-in-guest"), std::string::npos) << hello.output;
    vm.send("poweroff\n");
    EXPECT_EQ(vm.wait_exit(300s), 0) << vm.output();
  }
  DebianImage image_;
  std::string work_;
  int port_ = -1;
};

TEST_F(DebianBoot, OneHartFromRawDisk) {
  const std::string disk = work_ + "/disk.img";
  ASSERT_EQ(system(("cp --sparse=always '" + image_.disk() + "' '" + disk + "'").c_str()), 0);
  GuestProcess vm(args(disk, 1));
  check_system_and_power_off(vm, 1);
}

TEST_F(DebianBoot, TwoHartsFromQcow2Overlay) {
  const std::string overlay = make_overlay(image_, work_);
  ASSERT_FALSE(overlay.empty());
  GuestProcess vm(args(overlay, 2));
  check_system_and_power_off(vm, 2);
}

TEST_F(DebianBoot, FourHartsFromQcow2Overlay) {
  const std::string overlay = make_overlay(image_, work_);
  ASSERT_FALSE(overlay.empty());
  GuestProcess vm(args(overlay, 4));
  check_system_and_power_off(vm, 4);
}

// Debian's kernel has virtio-pci built in: its root disk and NIC on the PCIe bus.
TEST_F(DebianBoot, TwoHartsWithDiskAndNicOnPci) {
  const std::string overlay = make_overlay(image_, work_);
  ASSERT_FALSE(overlay.empty());
  GuestProcess vm(args(overlay, 2, Boot::Kernel, "pci"));
  ASSERT_TRUE(vm.expect("pci 0000:00:00.0: [1b36:0008]", 120s)) << vm.output();
  check_system_and_power_off(vm, 2);
}

// As images are shipped: no --kernel; Debian's OpenSBI and U-Boot (qemu-riscv64_smode) find
// /boot/extlinux/extlinux.conf on the disk's partition and boot what it names.
TEST_F(DebianBoot, FirmwareBootThroughUboot) {
  if (system("test -r /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin && "
             "test -r /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin") != 0)
    GTEST_SKIP() << "Debian's u-boot-qemu and opensbi packages are not installed";
  const std::string overlay = make_overlay(image_, work_);
  ASSERT_FALSE(overlay.empty());
  GuestProcess vm(args(overlay, 2, Boot::Firmware));
  ASSERT_TRUE(vm.expect("OpenSBI v", 60s)) << vm.output();
  ASSERT_TRUE(vm.expect("U-Boot", 120s)) << vm.output();
  ASSERT_TRUE(vm.expect("extlinux.conf", 300s)) << vm.output();
  check_system_and_power_off(vm, 2);
}

}  // namespace
}  // namespace vessel::test
