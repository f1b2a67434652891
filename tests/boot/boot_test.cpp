// Boots the test guest through the real `vessel run` and checks what a user would see.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "support/cpio_archive.h"
#include "support/guest_process.h"

namespace vessel::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const char* kOpenSbi = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin";

class Boot : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = guest_dir();
    ASSERT_FALSE(dir_.empty()) << "no test guest: run scripts/guest-dir.sh";
    ASSERT_TRUE(fs::exists(dir_ + "/Image")) << dir_;
  }
  std::vector<std::string> args(const std::string& append, std::vector<std::string> extra = {}) const {
    std::vector<std::string> a = {vessel_bin(), "run", "--kernel", dir_ + "/Image", "--initrd",
                                  dir_ + "/initramfs.cpio.gz", "--append", append};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  std::string dir_;
};

// What a guest does must not depend on the engine: these run under the JIT and under the
// interpreter (the JIT's reference, and the engine where executable memory is refused).
class BothEngines : public Boot, public ::testing::WithParamInterface<const char*> {
 protected:
  std::vector<std::string> args(const std::string& append, std::vector<std::string> extra = {}) const {
    extra.insert(extra.end(), {"--engine", GetParam()});
    return Boot::args(append, extra);
  }
};
INSTANTIATE_TEST_SUITE_P(Engines, BothEngines, ::testing::Values("jit", "interp"),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

TEST_P(BothEngines, PowerOffExitsZero) {
  GuestProcess vm(args("console=ttyS0 run=poweroff"));
  EXPECT_TRUE(vm.expect("VESSEL-GUEST-READY", 120s)) << vm.output();
  EXPECT_TRUE(vm.expect("VESSEL-RUN-EXIT=0", 60s)) << vm.output();
  EXPECT_EQ(vm.wait_exit(60s), 0) << vm.output();
}

// Guest RAM in 4 KiB pages instead of transparent huge pages.
TEST_F(Boot, WithoutHugePages) {
  GuestProcess vm(args("console=ttyS0 quiet run=poweroff", {"--hugepages", "off"}));
  EXPECT_TRUE(vm.expect("VESSEL-RUN-EXIT=0", 120s)) << vm.output();
  EXPECT_EQ(vm.wait_exit(60s), 0);
}

TEST_P(BothEngines, TwoHarts) {
  GuestProcess vm(args("console=ttyS0 run=poweroff", {"--cpus", "2"}));
  EXPECT_TRUE(vm.expect("smp: Brought up 1 node, 2 CPUs", 120s)) << vm.output();
  EXPECT_TRUE(vm.expect("VESSEL-RUN-EXIT=0", 60s)) << vm.output();
  EXPECT_EQ(vm.wait_exit(60s), 0);
}

TEST_P(BothEngines, FourHartsRunSmpWorkload) {
  GuestProcess vm(args("console=ttyS0 quiet run=smp", {"--cpus", "4"}));
  ASSERT_TRUE(vm.expect("harts: 4", 120s)) << vm.output();
  // sha256 of 16 MiB of zeros, computed once per hart in parallel.
  const std::string hash = "080acf35a507ac9849cfcba47dc2ad83e01b75663a516279c8b9d243b719643e";
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(vm.expect(hash, 300s)) << "hash " << i << "\n" << vm.output();
  EXPECT_TRUE(vm.expect("VESSEL-RUN-EXIT=0", 60s)) << vm.output();
  EXPECT_EQ(vm.wait_exit(60s), 0);
}

TEST_P(BothEngines, InteractiveShellOverStdin) {
  GuestProcess vm(args("console=ttyS0 quiet"));
  ASSERT_TRUE(vm.expect("VESSEL-GUEST-READY", 120s)) << vm.output();
  ASSERT_TRUE(vm.expect("# ", 60s)) << vm.output();
  vm.send("uname -m\n");
  EXPECT_TRUE(vm.expect("riscv64", 30s)) << vm.output();
  vm.send("grep -c ^processor /proc/cpuinfo; grep -m1 isa /proc/cpuinfo\n");
  EXPECT_TRUE(vm.expect("rv64imafdc", 30s)) << vm.output();
  vm.send("echo sum=$((6 * 7)); echo hello > /tmp/f && cat /tmp/f | tr a-z A-Z\n");
  EXPECT_TRUE(vm.expect("sum=42", 30s)) << vm.output();
  EXPECT_TRUE(vm.expect("HELLO", 30s)) << vm.output();
  vm.send("ls /etc/run | sort | head -1; date +%Y\n");
  EXPECT_TRUE(vm.expect("cpu.sh", 30s)) << vm.output();
  vm.send("poweroff -f\n");
  EXPECT_EQ(vm.wait_exit(60s), 0) << vm.output();
}

TEST_P(BothEngines, OpenSbiFirmwareBootsTheSameGuest) {
  if (!fs::exists(kOpenSbi)) GTEST_SKIP() << "Debian's opensbi package is not installed (" << kOpenSbi << ")";
  GuestProcess vm(args("console=ttyS0 run=poweroff", {"--bios", kOpenSbi, "--cpus", "2"}));
  EXPECT_TRUE(vm.expect("OpenSBI v", 60s)) << vm.output();
  EXPECT_TRUE(vm.expect("Domain0 Next Mode         : S-mode", 60s)) << vm.output();
  EXPECT_TRUE(vm.expect("VESSEL-RUN-EXIT=0", 120s)) << vm.output();
  EXPECT_EQ(vm.wait_exit(60s), 0);
}

TEST_P(BothEngines, RebootRestartsOrExitsUnderNoReboot) {
  GuestProcess vm(args("console=ttyS0 quiet", {"--no-reboot"}));
  ASSERT_TRUE(vm.expect("VESSEL-GUEST-READY", 120s)) << vm.output();
  vm.send("reboot -f\n");
  EXPECT_EQ(vm.wait_exit(60s), 4) << vm.output();
}

TEST_P(BothEngines, RebootStartsTheGuestAgain) {
  GuestProcess vm(args("console=ttyS0 quiet"));
  ASSERT_TRUE(vm.expect("VESSEL-GUEST-READY", 120s)) << vm.output();
  vm.send("reboot -f\n");
  ASSERT_TRUE(vm.expect("VESSEL-GUEST-READY", 120s)) << "no second boot\n" << vm.output();
  vm.send("poweroff -f\n");
  EXPECT_EQ(vm.wait_exit(60s), 0);
}

TEST_P(BothEngines, SigtermStopsCleanly) {
  GuestProcess vm(args("console=ttyS0 quiet"));
  ASSERT_TRUE(vm.expect("VESSEL-GUEST-READY", 120s)) << vm.output();
  vm.signal(SIGTERM);
  EXPECT_EQ(vm.wait_exit(30s), 128 + SIGTERM) << vm.output();
}

// A console client that stops reading (vesseld relaying to an API client that went quiet)
// must not keep the VMM from exiting: before the fix the guest powered off but the VMM waited
// forever for that client's thread, blocked in send() on a full socket.
TEST_F(Boot, HeadlessVmExitsDespiteAConsoleClientThatDoesNotRead) {
  std::string script = "i=0; while [ $i -lt 5000 ]; do echo \"flood $i ";
  script += std::string(80, '.') + "\"; i=$((i+1)); done\n";  // ~450 KiB: more than a socket buffer
  const std::string initrd = testing::TempDir() + "/vessel-flood-" + std::to_string(getpid()) + ".cpio.gz";
  ASSERT_TRUE(compose_initramfs(dir_ + "/initramfs.cpio.gz",
                                {{"etc", 040755, ""}, {"etc/run", 040755, ""}, {"etc/run/flood.sh", 0100755, script}},
                                initrd));
  const std::string sock = testing::TempDir() + "/vessel-con-" + std::to_string(getpid());
  GuestProcess vm({vessel_bin(), "run", "--kernel", dir_ + "/Image", "--initrd", initrd, "--append",
                   "console=ttyS0 quiet run=flood", "--console-socket", sock});
  const int client = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock.c_str());
  bool connected = false;
  for (int i = 0; i < 3000 && !connected; ++i) {  // until the VMM listens (at most 30 s)
    connected = connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (!connected) usleep(10000);
  }
  ASSERT_TRUE(connected) << vm.output();
  // Read until the flood has begun, then never again.
  std::string seen;
  char buf[4096];
  for (ssize_t n; seen.find("flood 10 ") == std::string::npos && (n = read(client, buf, sizeof buf)) > 0;)
    seen.append(buf, static_cast<size_t>(n));
  ASSERT_NE(seen.find("flood 10 "), std::string::npos) << seen;
  EXPECT_EQ(vm.wait_exit(180s), 0) << "the VMM did not exit\n" << vm.output();
  close(client);
  unlink(initrd.c_str());
}

TEST_F(Boot, LargeGuestCostsOnlyTouchedMemory) {
  // A 4 GiB guest that boots and powers off touches a few tens of MiB of guest memory
  // (mostly the kernel's page structures), plus about 30 MiB of JIT code cache and metadata.
  GuestProcess vm(args("console=ttyS0 quiet run=poweroff", {"--memory", "4G"}));
  EXPECT_TRUE(vm.expect("VESSEL-RUN-EXIT=0", 120s)) << vm.output();
  ASSERT_EQ(vm.wait_exit(60s), 0);
  EXPECT_LT(vm.max_rss_kib(), 200 * 1024) << "max RSS " << vm.max_rss_kib() << " KiB";
}

TEST_F(Boot, DumpedDeviceTreeDecompiles) {
  const std::string dtb = testing::TempDir() + "/vessel-test-" + std::to_string(getpid()) + ".dtb";
  GuestProcess vm(args("console=ttyS0 quiet run=poweroff", {"--cpus", "2", "--dump-dtb", dtb}));
  ASSERT_EQ(vm.wait_exit(120s), 0) << vm.output();
  const std::string dts = testing::TempDir() + "/vessel-test-" + std::to_string(getpid()) + ".dts";
  ASSERT_EQ(system(("dtc -q -I dtb -O dts -o " + dts + " " + dtb).c_str()), 0);
  std::ifstream in(dts);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* node : {"cpu@0 {", "cpu@1 {", "memory@80000000 {", "plic@c000000 {", "clint@2000000 {",
                           "serial@10000000 {", "rtc@101000 {", "test@100000 {", "pci@30000000 {", "chosen {", "riscv,cpu-intc",
                           "syscon-poweroff", "timebase-frequency = <0x989680>", "bootargs = \"console=ttyS0 quiet run=poweroff\"",
                           "linux,initrd-start", "mmu-type = \"riscv,sv57\"",
                           // --cpu rva22 (the default): Linux 6.x reads the extension list
                           "riscv,isa-base = \"rv64i\"", "riscv,isa-extensions = \"i\\0m\\0a\\0f\\0d\\0c\\0zicbom",
                           "_zba_zbb_zbs_", "riscv,cbom-block-size = <0x40>", "riscv,cboz-block-size = <0x40>"})
    EXPECT_NE(text.find(node), std::string::npos) << "missing " << node << "\n" << text;
}

// --cpu chooses what the guest is told: the test kernel (6.1) lists in /proc/cpuinfo the
// extensions it knows of.
TEST_P(BothEngines, CpuProfileReachesTheGuest) {
  for (const char* cpu : {"rv64gc", "rva22"}) {
    GuestProcess vm(args("console=ttyS0 quiet", {"--cpu", cpu}));
    ASSERT_TRUE(vm.expect("VESSEL-GUEST-READY", 120s)) << vm.output();
    ASSERT_TRUE(vm.expect("# ", 60s)) << vm.output();
    vm.send("grep -m1 isa /proc/cpuinfo\n");
    if (std::string(cpu) == "rv64gc") EXPECT_TRUE(vm.expect("rv64imafdc_sstc\r\n", 30s)) << vm.output();
    else EXPECT_TRUE(vm.expect("rv64imafdc_sstc_svinval_svpbmt_zicbom_zihintpause", 30s)) << vm.output();
    vm.send("poweroff -f\n");
    EXPECT_EQ(vm.wait_exit(60s), 0) << vm.output();
  }
}

TEST(ElfKernel, VirtualEntryIsMappedToItsLoadAddress) {
  GuestProcess vm({vessel_bin(), "run", "--kernel", ELF_KERNEL, "--memory", "64M"});
  EXPECT_EQ(vm.wait_exit(std::chrono::seconds(30)), 0) << vm.output();
}

class BadInput : public Boot {};

TEST_F(BadInput, MissingKernel) {
  GuestProcess vm({vessel_bin(), "run", "--kernel", "/nonexistent/Image"});
  EXPECT_EQ(vm.wait_exit(30s), 2);
  EXPECT_NE(vm.output().find("/nonexistent/Image"), std::string::npos) << vm.output();
}

TEST_F(BadInput, UnknownOption) {
  GuestProcess vm({vessel_bin(), "run", "--kernal", dir_ + "/Image"});
  EXPECT_EQ(vm.wait_exit(30s), 2);
  EXPECT_NE(vm.output().find("--kernal"), std::string::npos) << vm.output();
}

TEST_F(BadInput, MalformedMemorySize) {
  GuestProcess vm(args("console=ttyS0", {"--memory", "12Q"}));
  EXPECT_EQ(vm.wait_exit(30s), 2);
  EXPECT_NE(vm.output().find("--memory"), std::string::npos) << vm.output();
}

TEST_F(BadInput, MemoryTooSmallForKernelAndInitrd) {
  const std::string big = testing::TempDir() + "/vessel-big-initrd-" + std::to_string(getpid());
  {
    std::ofstream f(big, std::ios::binary);
    std::string chunk(1 << 20, 'x');
    for (int i = 0; i < 24; ++i) f << chunk;
  }
  GuestProcess vm({vessel_bin(), "run", "--kernel", dir_ + "/Image", "--initrd", big, "--memory", "16M"});
  EXPECT_EQ(vm.wait_exit(30s), 2);
  EXPECT_NE(vm.output().find("too small"), std::string::npos) << vm.output();
}

TEST_F(BadInput, HugePagesNeitherOnNorOff) {
  GuestProcess vm(args("console=ttyS0", {"--hugepages", "maybe"}));
  EXPECT_EQ(vm.wait_exit(30s), 2);
  EXPECT_NE(vm.output().find("--hugepages"), std::string::npos) << vm.output();
}

TEST_F(BadInput, TooManyHarts) {
  GuestProcess vm(args("console=ttyS0", {"--cpus", "64"}));
  EXPECT_EQ(vm.wait_exit(30s), 2);
  EXPECT_NE(vm.output().find("--cpus"), std::string::npos) << vm.output();
}

TEST_F(BadInput, NotAKernel) {
  GuestProcess vm({vessel_bin(), "run", "--kernel", dir_ + "/initramfs.cpio.gz"});
  EXPECT_EQ(vm.wait_exit(30s), 2);
  EXPECT_NE(vm.output().find("not a RISC-V Linux Image"), std::string::npos) << vm.output();
}

TEST_F(BadInput, GuestRamThatCannotBeMapped) {
  // An address-space limit makes the RAM mapping fail: a clear error, not a crash.
  GuestProcess vm({"/bin/sh", "-c",
                   "ulimit -v 2000000; exec \"$0\" run --kernel \"$1\" --memory 8G", vessel_bin(), dir_ + "/Image"});
  EXPECT_EQ(vm.wait_exit(30s), 2) << vm.output();
  EXPECT_NE(vm.output().find("cannot map guest RAM"), std::string::npos) << vm.output();
}

TEST_F(BadInput, UnreadableInitrd) {
  GuestProcess vm({vessel_bin(), "run", "--kernel", dir_ + "/Image", "--initrd", "/nonexistent/initrd"});
  EXPECT_EQ(vm.wait_exit(30s), 2);
  EXPECT_NE(vm.output().find("/nonexistent/initrd"), std::string::npos) << vm.output();
}

}  // namespace
}  // namespace vessel::test
