// vesseld jails every VMM by default (issue 16): the VM's info shows the jail, the VMM runs as
// a uid of its own with no capabilities and seccomp on, sees only its own files, and its uid
// owns nothing but its sockets; "sandbox": false runs it unjailed and says so; a VMM its
// filter kills is reported as `last_exit: seccomp SYSCALL` (fault injection builds).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "manager/daemon_fixture.h"
#include "support/guest_process.h"
#include "sandbox/fault_injection.h"
#include "sandbox/jail_inspect.h"  // tests/sandbox

namespace vessel::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST(ManagerSandbox, VmmsAreJailedByDefaultAndSnapshotsLeaveTheJail) {
  if (geteuid() != 0) GTEST_SKIP() << "the jail needs root";
  Daemon d;
  d.start();
  ASSERT_EQ(d.api("POST", "/v1/vms", d.guest_vm("j")).status, 201);
  auto stopped = d.api("GET", "/v1/vms/j");
  EXPECT_EQ(stopped.json.value("sandbox", false), true) << "a stopped VM says it will run jailed";
  auto r = d.api("POST", "/v1/vms/j/start", std::string());
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json.value("sandbox", false), true) << r.body;
  ASSERT_TRUE(r.json.contains("jail")) << r.body;
  const uid_t uid = r.json["jail"]["uid"];
  EXPECT_GE(uid, 300000u);
  EXPECT_LE(uid, 309999u);
  const pid_t vmm = r.json["jail"]["vmm_pid"];
  ASSERT_NE(vmm, r.json["pid"].get<pid_t>()) << "the keeper is the VMM's parent";

  auto st = proc_status(vmm);
  const std::string u = std::to_string(uid);
  EXPECT_EQ(st["Uid"], u + " " + u + " " + u + " " + u);
  EXPECT_EQ(st["CapEff"], "0000000000000000");
  EXPECT_EQ(st["CapBnd"], "0000000000000000");
  EXPECT_EQ(st["NoNewPrivs"], "1");
  EXPECT_EQ(st["Seccomp"], "2");

  ConsoleStream c(d.socket(), "j");
  ASSERT_TRUE(c.expect("VESSEL-GUEST-READY", 120s)) << c.output();
  c.send("MARK=jail-$((6*7))\n");

  // Its root: the kernel, the initrd, its own directory, a few devices. No /etc, no state of others.
  const std::string vm_dir = d.state_dir() + "/vms/j";
  const std::string guest = guest_dir();
  const std::vector<std::string> wanted = {vm_dir, guest + "/Image", guest + "/initramfs.cpio.gz"};
  for (const std::string& p : jail_tree(vmm)) {
    bool ok = p.rfind("/dev/", 0) == 0 || p == "/dev" || p.rfind(vm_dir + "/", 0) == 0;
    for (const std::string& w : wanted) ok = ok || p == w || w.rfind(p + "/", 0) == 0;
    EXPECT_TRUE(ok) << "unexpected path in the jail: " << p;
  }
  EXPECT_FALSE(fs::exists("/proc/" + std::to_string(vmm) + "/root/etc"));
  // The uid owns its sockets, nothing else in the daemon's directory.
  for (const std::string& p : owned_by(d.dir(), uid))
    EXPECT_TRUE(p == vm_dir + "/ctl" || p == vm_dir + "/con") << p;

  // A snapshot lands where the client asked (outside the jail), owned by root; restored, it runs jailed.
  fs::create_directories(d.dir() + "/snaps");
  const std::string snap = d.dir() + "/snaps/j.snap";
  auto s = d.api("POST", "/v1/vms/j/snapshot", json{{"path", snap}});
  ASSERT_EQ(s.status, 200) << s.body;
  struct stat sst {};
  ASSERT_EQ(stat(snap.c_str(), &sst), 0);
  EXPECT_EQ(sst.st_uid, 0u);
  EXPECT_FALSE(fs::exists(vm_dir + "/snapshot.partial"));
  auto k = d.api("POST", "/v1/vms/k/restore", json{{"path", snap}});
  ASSERT_EQ(k.status, 201) << k.body;
  EXPECT_EQ(k.json.value("sandbox", false), true);
  EXPECT_NE(k.json["jail"]["uid"], uid) << "each running VMM has a uid of its own";
  ConsoleStream ck(d.socket(), "k");
  ck.send("echo restored-$MARK\n");
  EXPECT_TRUE(ck.expect("restored-jail-42", 60s)) << ck.output();

  // Killing the keeper ends the jailed VMM too.
  ASSERT_EQ(d.api("POST", "/v1/vms/j/kill", std::string()).status, 200);
  EXPECT_EQ(d.api("GET", "/v1/vms/j").json.value("last_exit", ""), "killed");
  for (int i = 0; i < 500 && fs::exists("/proc/" + std::to_string(vmm) + "/status") &&
                  proc_status(vmm)["State"].rfind("Z", 0) != 0;
       ++i)
    std::this_thread::sleep_for(10ms);  // the kernel delivers the parent-death signal
  EXPECT_TRUE(!fs::exists("/proc/" + std::to_string(vmm) + "/status") || proc_status(vmm)["State"].rfind("Z", 0) == 0);
  EXPECT_EQ(d.api("POST", "/v1/vms/k/kill", std::string()).status, 200);
}

TEST(ManagerSandbox, SandboxFalseRunsUnjailedAndSaysSo) {
  Daemon d;
  d.start();
  json def = d.guest_vm("plain");
  def["sandbox"] = false;
  def["start"] = true;
  auto r = d.api("POST", "/v1/vms", def);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json.value("sandbox", true), false);
  EXPECT_FALSE(r.json.contains("jail"));
  EXPECT_EQ(r.json["config"].value("sandbox", true), false);
  EXPECT_EQ(proc_status(r.json["pid"])["Seccomp"], "0");
  EXPECT_EQ(d.api("POST", "/v1/vms/plain/kill", std::string()).status, 200);
  EXPECT_EQ(d.api("POST", "/v1/vms", json{{"name", "bad"}, {"kernel", "/x"}, {"sandbox", "no"}}).status, 400);
}

TEST(ManagerSandbox, AVmmKilledByItsFilterIsReportedWithTheCall) {
  if (geteuid() != 0) GTEST_SKIP() << "the jail needs root";
  if (!sandbox::fault_injection_built())
    GTEST_SKIP() << "this build has no fault injection (a Debug build, or -DVESSEL_FAULT_INJECTION=ON)";
  Daemon d;
  setenv("VESSEL_FAULT_INJECT", "vcpu:openat", 1);
  d.start();
  unsetenv("VESSEL_FAULT_INJECT");
  ASSERT_EQ(d.api("POST", "/v1/vms", d.guest_vm("victim")).status, 201);
  (void)d.api("POST", "/v1/vms/victim/start", std::string());  // may answer before or after the kill
  ASSERT_TRUE(d.wait_state("victim", "stopped", 60s));
  auto v = d.api("GET", "/v1/vms/victim");
  EXPECT_EQ(v.json.value("last_exit", ""), "seccomp openat") << v.body;
}

}  // namespace
}  // namespace vessel::test
