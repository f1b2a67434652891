// `vessel run --sandbox` with the test guest (root only): the VMM boots jailed, its root holds
// only its files, it runs as its own uid with no capabilities and seccomp on; the console
// and the exit status reach the caller through the keeper; a vCPU thread that makes a
// forbidden call (fault injection builds) kills the VMM, which names the call.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "control_client.h"
#include "jail_inspect.h"
#include "sandbox/fault_injection.h"
#include "support/guest_process.h"

namespace vessel::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr uid_t kUid = 271828;

class JailedRun : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "the jail needs root (namespaces, pivot_root, setuid)";
    guest_ = guest_dir();
    if (!fs::exists(guest_ + "/Image")) GTEST_SKIP() << "no test guest in " << guest_;
    dir_ = fs::path(testing::TempDir() + "/vessel-jail-" + std::to_string(getpid()) + "-" +
                    testing::UnitTest::GetInstance()->current_test_info()->name())
               .lexically_normal()
               .string();
    fs::remove_all(dir_);
    fs::create_directories(dir_ + "/sockets");
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  std::vector<std::string> args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> a = {vessel_bin(),   "run",          "--kernel", guest_ + "/Image",
                                  "--initrd",     guest_ + "/initramfs.cpio.gz",
                                  "--append",     "console=ttyS0 quiet",
                                  "--memory",     "128M",
                                  "--control",    dir_ + "/sockets/ctl",
                                  "--sandbox",    "--sandbox-uid",
                                  std::to_string(kUid)};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  std::string guest_, dir_;
};

TEST_F(JailedRun, BootsSeesOnlyItsFilesAndKeepsTheConsoleAndExitStatus) {
  GuestProcess vm(args());
  ASSERT_TRUE(vm.expect("VESSEL-GUEST-READY", 120s)) << vm.output();
  const pid_t vmm = jailed_child(vm.pid());
  ASSERT_GT(vmm, 0) << "the keeper has the jailed VMM as its child";

  auto st = proc_status(vmm);
  EXPECT_EQ(st["Uid"], "271828 271828 271828 271828");
  EXPECT_EQ(st["Gid"], "271828 271828 271828 271828");
  EXPECT_EQ(st["Groups"], "");
  EXPECT_EQ(st["CapEff"], "0000000000000000");
  EXPECT_EQ(st["CapPrm"], "0000000000000000");
  EXPECT_EQ(st["CapBnd"], "0000000000000000");
  EXPECT_EQ(st["NoNewPrivs"], "1");
  EXPECT_EQ(st["Seccomp"], "2");
  EXPECT_EQ(st["NSpid"].substr(st["NSpid"].rfind(' ') + 1), "1") << "pid 1 of its own pid namespace";

  // Nothing of the host but the VM's files, the socket directory and a few devices.
  const std::set<std::string> allowed_files = {guest_ + "/Image", guest_ + "/initramfs.cpio.gz", dir_ + "/sockets/ctl",
                                               "/dev/null", "/dev/zero", "/dev/urandom", "/dev/random"};
  for (const std::string& p : jail_tree(vmm)) {
    const std::string host = "/proc/" + std::to_string(vmm) + "/root" + p;
    if (fs::is_directory(fs::symlink_status(host))) {
      // Directories only on the way to something allowed.
      const bool leads = std::any_of(allowed_files.begin(), allowed_files.end(),
                                     [&](const std::string& f) { return f.rfind(p + "/", 0) == 0; });
      EXPECT_TRUE(leads) << "unexpected directory in the jail: " << p;
    } else {
      EXPECT_TRUE(allowed_files.count(p)) << "unexpected file in the jail: " << p;
    }
  }
  EXPECT_FALSE(fs::exists("/proc/" + std::to_string(vmm) + "/root/etc/passwd"));
  // The uid owns nothing outside: only the control socket it created.
  EXPECT_EQ(owned_by(dir_, kUid), std::vector<std::string>{dir_ + "/sockets/ctl"});
  EXPECT_TRUE(owned_by("/proc/" + std::to_string(vmm) + "/root/dev", kUid).empty());

  // The control socket answers, the console works, the guest's power-off is the exit status.
  EXPECT_EQ(control(dir_ + "/sockets/ctl", {{"op", "status"}}).value("ok", false), true);
  vm.send("echo jailed-$((6*7))\n");
  ASSERT_TRUE(vm.expect("jailed-42", 30s)) << vm.output();
  vm.send("poweroff -f\n");
  EXPECT_EQ(vm.wait_exit(60s), 0) << vm.output();
}

TEST_F(JailedRun, SigtermThroughTheKeeperStopsTheVmCleanly) {
  GuestProcess vm(args());
  ASSERT_TRUE(vm.expect("VESSEL-GUEST-READY", 120s)) << vm.output();
  vm.signal(SIGTERM);
  EXPECT_EQ(vm.wait_exit(30s), 128 + SIGTERM) << vm.output();
}

TEST_F(JailedRun, AForbiddenCallOnAVcpuThreadKillsTheVmmAndIsNamed) {
  if (!sandbox::fault_injection_built())
    GTEST_SKIP() << "this build has no fault injection (a Debug build, or -DVESSEL_FAULT_INJECTION=ON)";
  for (const char* call : {"openat", "execve", "socket"}) {
    setenv("VESSEL_FAULT_INJECT", (std::string("vcpu:") + call).c_str(), 1);
    GuestProcess vm(args());
    unsetenv("VESSEL_FAULT_INJECT");
    EXPECT_EQ(vm.wait_exit(60s), 128 + SIGSYS) << vm.output();
    EXPECT_NE(vm.output().find(std::string("seccomp: the vcpu thread called ") + call), std::string::npos)
        << vm.output();
    EXPECT_EQ(vm.output().find("VESSEL-GUEST-READY"), std::string::npos);
  }
}

TEST_F(JailedRun, RunsInACgroupOfItsOwnWithAMemoryLimit) {
  // A v1 memory hierarchy, or cgroup v2 with the memory controller.
  std::string parent, limit_file;
  if (fs::exists("/sys/fs/cgroup/memory/cgroup.procs")) {
    parent = "/sys/fs/cgroup/memory";
    limit_file = "memory.limit_in_bytes";
  } else if (fs::exists("/sys/fs/cgroup/cgroup.controllers")) {
    parent = "/sys/fs/cgroup";
    limit_file = "memory.max";
  }
  if (parent.empty()) GTEST_SKIP() << "no cgroup memory controller mounted";
  const std::string cg = parent + "/vessel-jail-test-" + std::to_string(getpid());
  GuestProcess vm(args({"--sandbox-cgroup", cg}));
  ASSERT_TRUE(vm.expect("VESSEL-GUEST-READY", 120s)) << vm.output();
  const pid_t vmm = jailed_child(vm.pid());
  std::ifstream procs(cg + "/cgroup.procs");
  std::set<pid_t> in;
  for (pid_t p; procs >> p;) in.insert(p);
  EXPECT_TRUE(in.count(vm.pid()) && in.count(vmm)) << "the keeper and the VMM are in it";
  std::ifstream limit(cg + "/" + limit_file);
  uint64_t bytes = 0;
  limit >> bytes;
  EXPECT_EQ(bytes, (128ull << 20) + (1ull << 30)) << "guest memory + 1 GiB";
  vm.send("poweroff -f\n");
  EXPECT_EQ(vm.wait_exit(60s), 0) << vm.output();
  fs::remove(cg);
}

TEST_F(JailedRun, RefusesASocketInASharedDirectory) {
  // A control socket in a world-writable directory would hand that directory to the jail.
  auto a = args();
  auto it = std::find(a.begin(), a.end(), dir_ + "/sockets/ctl");
  *it = "/tmp/vessel-jail-shared.sock";
  GuestProcess vm(a);
  EXPECT_EQ(vm.wait_exit(30s), 2) << vm.output();
  EXPECT_NE(vm.output().find("directory of its own"), std::string::npos) << vm.output();
}

}  // namespace
}  // namespace vessel::test
