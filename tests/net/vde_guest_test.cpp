// VMs on one VDE switch (Debian's vde_switch): two Vessel VMs talk to each other, a QEMU VM
// joins the same segment, a port's rate limit holds its VM back, and a guest that forges its
// source MAC is cut off by its port.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "snapshot/control_client.h"
#include "support/guest_process.h"
#include "vde_switch.h"

namespace vessel::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class VdeGuest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!VdeSwitch::available()) GTEST_SKIP() << "vde_switch is not installed (Debian's vde2)";
    dir_ = guest_dir();
    ASSERT_FALSE(dir_.empty()) << "no test guest: run scripts/guest-dir.sh";
    switch_ = std::make_unique<VdeSwitch>();
    ASSERT_TRUE(switch_->running()) << switch_->error();
  }
  std::vector<std::string> vessel_vm(const std::string& mac, const std::string& extra = "") const {
    return {vessel_bin(), "run", "--kernel", dir_ + "/Image", "--initrd", dir_ + "/initramfs.cpio.gz",
            "--append", "console=ttyS0 quiet", "--net", "vde,sock=" + switch_->socket_dir() + ",mac=" + mac + extra};
  }
  std::vector<std::string> qemu_vm(const std::string& mac) const {
    return {"/usr/bin/qemu-system-riscv64", "-machine", "virt", "-nographic", "-m", "256", "-kernel", dir_ + "/Image",
            "-initrd", dir_ + "/initramfs.cpio.gz", "-append", "console=ttyS0 quiet",
            "-netdev", "vde,id=n0,sock=" + switch_->socket_dir(), "-device", "virtio-net-device,netdev=n0,mac=" + mac};
  }
  static void shell(GuestProcess& vm, const std::string& cmd, const std::string& done, std::chrono::seconds t = 120s) {
    vm.send(cmd + "\n");
    ASSERT_TRUE(vm.expect(done, t)) << "guest command: " << cmd << "\n" << vm.output();
  }
  // Boots to the shell and gives eth0 a static address on 192.168.90.0/24.
  static void boot_with_address(GuestProcess& vm, const std::string& ip) {
    ASSERT_TRUE(vm.expect("VESSEL-GUEST-READY", 180s)) << vm.output();
    ASSERT_TRUE(vm.expect("# ", 60s)) << vm.output();
    // The echo markers are split so that the command's own echo on the console cannot match.
    shell(vm, "ip addr add " + ip + "/24 dev eth0 && ip link set eth0 up && echo UP-''DONE", "UP-DONE");
  }
  // Sends 1 MiB of random data from `from` to `to` (listening on 192.168.90.N) over TCP; the
  // MD5 sums on both sides must match.
  static void copy_file(GuestProcess& from, GuestProcess& to, const std::string& to_ip) {
    shell(to, "(nc -l -p 5000 > /tmp/got &) ; echo LISTEN-''UP", "LISTEN-UP");
    shell(from,
          "dd if=/dev/urandom of=/tmp/f bs=1024 count=1024 2>/dev/null; set -- $(md5sum /tmp/f); echo SRC=$1=''END; "
          "(nc " + to_ip + " 5000 < /tmp/f &) ; echo SEND-''STARTED",
          "SEND-STARTED");
    // The receiver polls its own file: busybox nc may keep the connection open after EOF.
    shell(to,
          "i=0; while [ $(wc -c < /tmp/got) -lt 1048576 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; "
          "set -- $(md5sum /tmp/got); echo DST=$1=''END",
          "=END");
    std::smatch src, dst;
    const std::string out_from = from.output(), out_to = to.output();
    ASSERT_TRUE(std::regex_search(out_from, src, std::regex("SRC=([0-9a-f]{32})=END"))) << out_from;
    ASSERT_TRUE(std::regex_search(out_to, dst, std::regex("DST=([0-9a-f]{32})=END"))) << out_to;
    EXPECT_EQ(src[1].str(), dst[1].str()) << "the file arrived different";
  }
  static void poweroff(GuestProcess& vm) {
    vm.send("poweroff -f\n");
    EXPECT_TRUE(vm.wait_exit(60s).has_value()) << vm.output();
  }
  std::string dir_;
  std::unique_ptr<VdeSwitch> switch_;
};

TEST_F(VdeGuest, TwoVesselVmsPingAndCopyAFile) {
  GuestProcess a(vessel_vm("52:54:00:00:90:01")), b(vessel_vm("52:54:00:00:90:02"));
  boot_with_address(a, "192.168.90.1");
  boot_with_address(b, "192.168.90.2");
  shell(b, "ping -c 3 -W 5 192.168.90.1 | grep -o '[0-9] packets received'; echo PING-''DONE", "PING-DONE");
  EXPECT_NE(b.output().find("3 packets received"), std::string::npos) << b.output();
  copy_file(b, a, "192.168.90.1");
  poweroff(a);
  poweroff(b);
}

TEST_F(VdeGuest, QemuVmOnTheSameSwitchTalksToAVesselVm) {
  if (access("/usr/bin/qemu-system-riscv64", X_OK) != 0) GTEST_SKIP() << "qemu-system-riscv64 is not installed";
  GuestProcess vessel(vessel_vm("52:54:00:00:90:01")), qemu(qemu_vm("52:54:00:00:90:03"));
  boot_with_address(vessel, "192.168.90.1");
  boot_with_address(qemu, "192.168.90.3");
  shell(vessel, "ping -c 3 -W 5 192.168.90.3 | grep -o '[0-9] packets received'; echo PING-''DONE", "PING-DONE");
  EXPECT_NE(vessel.output().find("3 packets received"), std::string::npos) << vessel.output();
  copy_file(qemu, vessel, "192.168.90.1");
  copy_file(vessel, qemu, "192.168.90.3");
  poweroff(vessel);
  qemu.send("poweroff -f\n");
  qemu.wait_exit(60s);
}

// Under the interpreter too, and across a snapshot: the restored VM joins the switch again
// (a new port; the switch learns its MAC from its next frame) with its address and ARP
// state, and reaches the other VM as before.
TEST_F(VdeGuest, InterpretedVmRejoinsTheSwitchAfterARestore) {
  const std::string control_sock = switch_->socket_dir() + ".control", snap = switch_->socket_dir() + ".snap";
  GuestProcess a(vessel_vm("52:54:00:00:90:01"));
  boot_with_address(a, "192.168.90.1");
  std::vector<std::string> args = vessel_vm("52:54:00:00:90:02");
  args.insert(args.end(), {"--engine", "interp", "--control", control_sock});
  {
    GuestProcess b(args);
    boot_with_address(b, "192.168.90.2");
    shell(b, "ping -c 2 -W 5 192.168.90.1 | grep -o '[0-9] packets received'; echo PING-''DONE", "PING-DONE");
    EXPECT_NE(b.output().find("2 packets received"), std::string::npos) << b.output();
    const auto r = control(control_sock, {{"op", "snapshot"}, {"path", snap}});
    ASSERT_TRUE(r.is_object() && r.value("ok", false)) << r.dump();
    EXPECT_TRUE(control(control_sock, {{"op", "stop"}}).value("ok", false));
    EXPECT_EQ(b.wait_exit(60s), 0) << b.output();
  }
  GuestProcess b({vessel_bin(), "run", "--restore", snap, "--engine", "interp"});
  shell(b, "ping -c 2 -W 5 192.168.90.1 | grep -o '[0-9] packets received'; echo PING-''AGAIN", "PING-AGAIN");
  EXPECT_NE(b.output().find("2 packets received"), std::string::npos) << b.output();
  copy_file(b, a, "192.168.90.1");
  poweroff(a);
  poweroff(b);
  fs::remove(snap);
}

// A port's limits (bps, pps of the VM's NIC) hold its traffic back on the switch: 1 MiB at
// 256 KiB/s cannot cross in much under 4 s (the bucket's burst is at most a second's worth),
// and the file still arrives whole. Only the lower bound is asserted: the copy's own speed
// depends on the machine.
TEST_F(VdeGuest, PortRateLimitHoldsBackItsSender) {
  GuestProcess a(vessel_vm("52:54:00:00:90:01")), b(vessel_vm("52:54:00:00:90:02", ",bps=262144,pps=1000"));
  boot_with_address(a, "192.168.90.1");
  boot_with_address(b, "192.168.90.2");
  const auto start = std::chrono::steady_clock::now();
  copy_file(b, a, "192.168.90.1");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 2900ms) << "1 MiB left a 256 KiB/s port in "
                          << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
  poweroff(a);
  poweroff(b);
}

// The port drops frames whose source is not the VM's MAC: with a forged address the guest
// reaches no one; with its own address back it does. With antispoof=off the forged one passes.
TEST_F(VdeGuest, ForgedSourceMacIsDroppedAtThePort) {
  GuestProcess a(vessel_vm("52:54:00:00:90:01")), b(vessel_vm("52:54:00:00:90:02")),
      c(vessel_vm("52:54:00:00:90:04", ",antispoof=off"));
  boot_with_address(a, "192.168.90.1");
  boot_with_address(b, "192.168.90.2");
  boot_with_address(c, "192.168.90.4");
  const std::string forge =
      "ip link set eth0 down && ip link set eth0 address 52:54:00:00:90:66 && ip link set eth0 up && echo FORGED-''DONE";
  const std::string ping =
      "ping -c 2 -W 3 192.168.90.1 | grep -o '[0-9] packets received'; echo PING-''DONE";
  shell(b, forge, "FORGED-DONE");
  shell(b, ping, "PING-DONE");
  EXPECT_NE(b.output().find("0 packets received"), std::string::npos) << b.output();
  shell(b, "ip link set eth0 down && ip link set eth0 address 52:54:00:00:90:02 && ip link set eth0 up && echo OWN-''DONE",
        "OWN-DONE");
  shell(b, ping, "PING-DONE");
  EXPECT_NE(b.output().find("2 packets received"), std::string::npos) << b.output();
  shell(c, forge, "FORGED-DONE");
  shell(c, ping, "PING-DONE");
  EXPECT_NE(c.output().find("2 packets received"), std::string::npos) << c.output();
  poweroff(a);
  poweroff(b);
  poweroff(c);
}

// A jailed VMM joins the switch as root before it enters the jail; a guest reboot rebuilds the
// machine inside the jail, where the switch is out of reach, and must find its port again.
TEST_F(VdeGuest, JailedVmKeepsItsPortAcrossAGuestReboot) {
  if (geteuid() != 0) GTEST_SKIP() << "the jail (--sandbox) needs root";
  std::vector<std::string> jailed = vessel_vm("52:54:00:00:90:01");
  jailed.insert(jailed.begin() + 2, "--sandbox");
  GuestProcess a(jailed), b(vessel_vm("52:54:00:00:90:02"));
  ASSERT_TRUE(a.expect("VESSEL-GUEST-READY", 180s)) << a.output();
  ASSERT_TRUE(a.expect("# ", 60s)) << a.output();
  a.send("reboot -f\n");
  boot_with_address(a, "192.168.90.1");
  boot_with_address(b, "192.168.90.2");
  shell(b, "ping -c 3 -W 5 192.168.90.1 | grep -o '[0-9] packets received'; echo PING-''DONE", "PING-DONE");
  EXPECT_NE(b.output().find("3 packets received"), std::string::npos) << b.output() << "\n" << a.output();
  poweroff(a);
  poweroff(b);
}

TEST_F(VdeGuest, MissingSwitchIsAClearError) {
  GuestProcess vm({vessel_bin(), "run", "--kernel", dir_ + "/Image", "--net", "vde,sock=/nonexistent/switch"});
  EXPECT_EQ(vm.wait_exit(30s), 2) << vm.output();  // bad input, like a missing disk image
  EXPECT_NE(vm.output().find("no VDE switch at /nonexistent/switch"), std::string::npos) << vm.output();
  GuestProcess bad({vessel_bin(), "run", "--kernel", dir_ + "/Image", "--net", "vde"});
  EXPECT_EQ(bad.wait_exit(30s), 2) << bad.output();
  EXPECT_NE(bad.output().find("sock=PATH is required"), std::string::npos) << bad.output();
}

}  // namespace
}  // namespace vessel::test
