// The jail's plan from a VM configuration, the allow-lists per thread kind, and the daemon's
// helpers (uid range, reading a seccomp kill from a VMM log). No root needed.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "manager/vmm_jail.h"
#include "sandbox/syscall_policy.h"
#include "sandbox/vm_jail_plan.h"
#include "storage/image_tools.h"

namespace vessel::test {
namespace {

namespace fs = std::filesystem;

class JailPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(testing::TempDir() + "/vessel-jailplan-" + std::to_string(getpid())).lexically_normal().string();
    fs::remove_all(dir_);
    fs::create_directories(dir_ + "/vm");
    chmod(dir_.c_str(), 0755);
    std::ofstream(dir_ + "/Image") << "kernel";
    std::ofstream(dir_ + "/initrd") << "initrd";
  }
  void TearDown() override { fs::remove_all(dir_); }
  static const sandbox::Bind* find(const sandbox::JailPlan& p, const std::string& path) {
    for (const auto& b : p.binds)
      if (b.path == path) return &b;
    return nullptr;
  }
  std::string dir_;
};

TEST_F(JailPlanTest, BindsTheMachinesFilesAndTheQcow2ChainAtTheirOwnPaths) {
  auto image = [&](const std::string& name, storage::DiskFormat format, const std::string& backing) {
    storage::CreateRequest r;
    r.path = dir_ + "/" + name;
    r.format = format;
    if (backing.empty()) r.size = 1 << 20;
    r.backing_file = backing;
    return static_cast<bool>(storage::create_disk(r));
  };
  ASSERT_TRUE(image("base.raw", storage::DiskFormat::Raw, ""));
  ASSERT_TRUE(image("mid.qcow2", storage::DiskFormat::Qcow2, "base.raw"));
  ASSERT_TRUE(image("top.qcow2", storage::DiskFormat::Qcow2, "mid.qcow2"));
  std::ofstream(dir_ + "/cdrom.raw") << std::string(4096, 'x');

  vmm::VmConfig c;
  c.kernel = dir_ + "/Image";
  c.initrd = dir_ + "/initrd";
  vmm::DriveSpec top, cdrom;
  top.file = dir_ + "/top.qcow2";
  cdrom.file = dir_ + "/cdrom.raw";
  cdrom.read_only = true;
  c.drives = {top, cdrom};
  auto plan = sandbox::plan_vm_jail(c, sandbox::VmSockets{{dir_ + "/vm/ctl", dir_ + "/vm/con"}}, {}, {});
  ASSERT_TRUE(plan) << plan.error();
  ASSERT_TRUE(find(plan.value(), c.kernel));
  EXPECT_FALSE(find(plan.value(), c.kernel)->writable);
  EXPECT_FALSE(find(plan.value(), c.initrd)->writable);
  ASSERT_TRUE(find(plan.value(), dir_ + "/top.qcow2"));
  EXPECT_TRUE(find(plan.value(), dir_ + "/top.qcow2")->writable);
  ASSERT_TRUE(find(plan.value(), dir_ + "/mid.qcow2")) << "backing files are in the jail";
  EXPECT_FALSE(find(plan.value(), dir_ + "/mid.qcow2")->writable);
  ASSERT_TRUE(find(plan.value(), dir_ + "/base.raw"));
  EXPECT_FALSE(find(plan.value(), dir_ + "/base.raw")->writable);
  EXPECT_FALSE(find(plan.value(), dir_ + "/cdrom.raw")->writable);
  ASSERT_TRUE(find(plan.value(), dir_ + "/vm"));
  EXPECT_TRUE(find(plan.value(), dir_ + "/vm")->writable);
  EXPECT_FALSE(find(plan.value(), dir_)) << "only what the VM needs";
  EXPECT_FALSE(find(plan.value(), "/dev/net/tun")) << "no TAP, no tun device";
  // Opened before the uid changes: the machine's files, writable as the drive says.
  bool top_rw = false, kernel_ro = false;
  for (const auto& f : plan.value().files) {
    if (f.path == dir_ + "/top.qcow2") top_rw = f.writable;
    if (f.path == c.kernel) kernel_ro = !f.writable;
  }
  EXPECT_TRUE(top_rw);
  EXPECT_TRUE(kernel_ro);
}

TEST_F(JailPlanTest, TapsBringTheTunDevice) {
  vmm::VmConfig c;
  c.kernel = dir_ + "/Image";
  vmm::NetSpec tap;
  tap.ifname = "vtap0";
  c.nets.push_back(tap);
  auto plan = sandbox::plan_vm_jail(c, {}, {}, {});
  ASSERT_TRUE(plan) << plan.error();
  ASSERT_TRUE(find(plan.value(), "/dev/net/tun"));
  EXPECT_EQ(plan.value().taps, std::vector<std::string>{"vtap0"});
}

TEST_F(JailPlanTest, RefusesSharedSocketDirectoriesRelativePathsAndMissingBinds) {
  vmm::VmConfig c;
  c.kernel = dir_ + "/Image";
  auto shared = sandbox::plan_vm_jail(c, sandbox::VmSockets{{"/tmp/vm.sock"}}, {}, {});
  ASSERT_FALSE(shared);
  EXPECT_NE(shared.error().find("directory of its own"), std::string::npos) << shared.error();
  vmm::VmConfig rel = c;
  rel.kernel = "Image";
  auto relative = sandbox::plan_vm_jail(rel, {}, {}, {});
  ASSERT_FALSE(relative);
  EXPECT_NE(relative.error().find("absolute"), std::string::npos) << relative.error();
  auto missing = sandbox::plan_vm_jail(c, {}, {dir_ + "/nothing-here"}, {});
  ASSERT_FALSE(missing);
  auto extra = sandbox::plan_vm_jail(c, {}, {dir_ + "/vm:rw"}, {});
  ASSERT_TRUE(extra) << extra.error();
  ASSERT_TRUE(find(extra.value(), dir_ + "/vm"));
  EXPECT_TRUE(find(extra.value(), dir_ + "/vm")->writable);
}

bool lists(const std::string& names, const std::string& name) {
  std::istringstream in(names);
  for (std::string n; in >> n;)
    if (n == name) return true;
  return false;
}

TEST(SyscallFilter, EachThreadKindGetsOnlyWhatItNeeds) {
  const std::string vcpu = sandbox::allowed_syscalls(ThreadKind::Vcpu);
  for (const char* forbidden : {"openat", "execve", "socket", "connect", "clone", "unlinkat", "bind"})
    EXPECT_FALSE(lists(vcpu, forbidden)) << forbidden;
  for (const char* needed : {"futex", "read", "write", "madvise", "clock_gettime"}) EXPECT_TRUE(lists(vcpu, needed));
  const std::string io = sandbox::allowed_syscalls(ThreadKind::Io);
  EXPECT_TRUE(lists(io, "pwrite64"));
  EXPECT_TRUE(lists(io, "socket")) << "slirp opens the guest's connections";
  EXPECT_FALSE(lists(io, "openat")) << "read-only openat only, with its flags checked";
  EXPECT_NE(io.find("openat(read-only)"), std::string::npos);
  EXPECT_FALSE(lists(io, "execve"));
  for (ThreadKind k : {ThreadKind::Vcpu, ThreadKind::Io, ThreadKind::Control, ThreadKind::Console,
                       ThreadKind::Migration, ThreadKind::Debugger})
    EXPECT_FALSE(lists(sandbox::allowed_syscalls(k), "execve")) << thread_kind_name(k);
}

TEST(ManagerJail, UidRangesAndSeccompReports) {
  uid_t a = 0, b = 0;
  EXPECT_TRUE(manager::parse_uid_range("300000-300009", a, b));
  EXPECT_EQ(a, 300000u);
  EXPECT_EQ(b, 300009u);
  for (const char* bad : {"", "5", "-5", "5-", "9-5", "0-10", "a-b", "1-2x"})
    EXPECT_FALSE(manager::parse_uid_range(bad, a, b)) << bad;
  manager::SandboxSettings s;
  s.uid_first = 300000;
  s.uid_last = 300002;
  EXPECT_EQ(manager::pick_jail_uid(s, {}), 300000u);
  EXPECT_EQ(manager::pick_jail_uid(s, {300000, 300001}), 300002u);
  EXPECT_FALSE(manager::pick_jail_uid(s, {300000, 300001, 300002}));
  EXPECT_EQ(manager::seccomp_exit_from_log(
                "booting\nvessel-vmm: seccomp: the vcpu thread called openat (syscall 257); the VMM is killed\n"),
            "seccomp openat");
  EXPECT_FALSE(manager::seccomp_exit_from_log("vessel run: the guest powered off\n"));
}

}  // namespace
}  // namespace vessel::test
