// Whole lifecycles over the real socket with real guests: three VMs, list, pause/resume
// (the console goes quiet and continues), snapshot + restore as a fourth VM, stop (the guest
// powers off on request), delete; kill -9 of the daemon with VMs running; autostart.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "http/http_client.h"
#include "manager/daemon_fixture.h"

namespace vessel::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kBoot = 120s;  // three guests booting at once on two shared cores

// Waits for the guest's shell on a console attach and checks it runs commands.
void expect_shell(ConsoleStream& c, const std::string& tag) {
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.expect("VESSEL-GUEST-READY", kBoot)) << c.output();
  c.send("echo hello-" + tag + "-$((6*7))\n");
  ASSERT_TRUE(c.expect("hello-" + tag + "-42", 30s)) << c.output();
  ASSERT_TRUE(c.expect("# ", 30s)) << c.output();  // the next prompt: the shell is idle again
}

TEST(ManagerLifecycle, ThreeVmsPauseResumeSnapshotRestoreStopDelete) {
  Daemon d;
  d.start();
  for (const char* n : {"a", "b", "c"}) ASSERT_EQ(d.api("POST", "/v1/vms", d.guest_vm(n)).status, 201);
  for (const char* n : {"a", "b", "c"}) {
    auto r = d.api("POST", std::string("/v1/vms/") + n + "/start", std::string());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json["state"], "running");
    EXPECT_GT(r.json.value("pid", 0), 0);
  }
  // Invalid in the running state.
  EXPECT_EQ(d.api("POST", "/v1/vms/a/start", std::string()).status, 409);
  EXPECT_EQ(d.api("DELETE", "/v1/vms/a").status, 409);
  EXPECT_EQ(d.api("POST", "/v1/vms/a/resume", std::string()).status, 409);

  auto list = d.api("GET", "/v1/vms");
  ASSERT_EQ(list.json["vms"].size(), 3u);
  std::set<int> pids;
  for (const auto& vm : list.json["vms"]) {
    EXPECT_EQ(vm["state"], "running");
    EXPECT_EQ(vm["memory_bytes"], 128u << 20);
    pids.insert(vm["pid"].get<int>());
  }
  EXPECT_EQ(pids.size(), 3u) << "each VM is its own process";

  ConsoleStream ca(d.socket(), "a"), cb(d.socket(), "b"), cc(d.socket(), "c");
  expect_shell(ca, "a");
  expect_shell(cb, "b");
  expect_shell(cc, "c");

  // Show: live figures.
  auto a = d.api("GET", "/v1/vms/a");
  EXPECT_GT(a.json.value("uptime_seconds", 0.0), 0.0);
  EXPECT_GT(a.json.value("rss_bytes", 0), 1 << 20);
  EXPECT_GT(a.json.value("vcpu_seconds", 0.0), 0.0);

  // Pause: the guest no longer reacts; resume: it handles what was typed meanwhile.
  auto p = d.api("POST", "/v1/vms/a/pause", std::string());
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(p.json["state"], "paused");
  EXPECT_EQ(d.api("POST", "/v1/vms/a/pause", std::string()).status, 409);
  const double instr_paused = d.api("GET", "/v1/vms/a").json.value("instructions", 0.0);
  ca.send("echo after-$((40+2))-resume\n");
  EXPECT_TRUE(ca.quiet_for(1500ms)) << "a paused guest produced output";
  EXPECT_EQ(d.api("GET", "/v1/vms/a").json.value("instructions", 0.0), instr_paused);
  auto rs = d.api("POST", "/v1/vms/a/resume", std::string());
  ASSERT_EQ(rs.status, 200);
  EXPECT_EQ(rs.json["state"], "running");
  EXPECT_TRUE(ca.expect("after-42-resume", 30s)) << ca.output();

  // Snapshot b with state in its shell, restore it as d: the shell still has it.
  cb.send("MARK=snap-$((7*6))\n");
  cb.send("echo marked\n");
  ASSERT_TRUE(cb.expect("marked", 30s));
  const std::string snap = d.dir() + "/b.snap";
  auto s = d.api("POST", "/v1/vms/b/snapshot", json{{"path", snap}});
  if (s.status == 501) {
    ADD_FAILURE() << "the VMM has no snapshot operation yet: " << s.body;
  } else {
    ASSERT_EQ(s.status, 200) << s.body;
    auto r = d.api("POST", "/v1/vms", json{{"name", "d"}, {"snapshot", snap}, {"start", true}});
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.json["state"], "running");
    ConsoleStream cd(d.socket(), "d");
    ASSERT_TRUE(cd.ok());
    cd.send("echo restored-$MARK\n");
    EXPECT_TRUE(cd.expect("restored-snap-42", 60s)) << cd.output();
    EXPECT_EQ(d.api("POST", "/v1/vms/d/kill", std::string()).json["state"], "stopped");
    EXPECT_EQ(d.api("DELETE", "/v1/vms/d").status, 200);
    // The same through the restore action.
    auto e = d.api("POST", "/v1/vms/e/restore", json{{"path", snap}});
    ASSERT_EQ(e.status, 201) << e.body;
    ConsoleStream ce(d.socket(), "e");
    ce.send("echo again-$MARK\n");
    EXPECT_TRUE(ce.expect("again-snap-42", 60s)) << ce.output();
    EXPECT_EQ(d.api("POST", "/v1/vms/e/restore", json{{"path", snap}}).status, 409);  // the name is taken
    EXPECT_EQ(d.api("POST", "/v1/vms/e/kill", std::string()).json["state"], "stopped");
    EXPECT_EQ(d.api("DELETE", "/v1/vms/e").status, 200);
  }

  // Stop: the guest powers off on request (not forced).
  auto st = d.api("POST", "/v1/vms/c/stop", json{{"timeout_seconds", 30}});
  ASSERT_EQ(st.status, 200) << st.body;
  EXPECT_EQ(st.json["state"], "stopped");
  EXPECT_EQ(st.json["forced"], false);
  EXPECT_EQ(st.json.value("last_exit", ""), "poweroff");
  // Stop of a paused VM resumes it first, so the guest can still act on the request.
  ASSERT_EQ(d.api("POST", "/v1/vms/b/pause", std::string()).status, 200);
  st = d.api("POST", "/v1/vms/b/stop", std::string());
  EXPECT_EQ(st.json["state"], "stopped");
  EXPECT_EQ(st.json["forced"], false);
  // Kill.
  auto k = d.api("POST", "/v1/vms/a/kill", std::string());
  EXPECT_EQ(k.json["state"], "stopped");
  EXPECT_EQ(k.json.value("last_exit", ""), "killed");
  for (const char* n : {"a", "b", "c"}) EXPECT_EQ(d.api("DELETE", std::string("/v1/vms/") + n).status, 200);
  EXPECT_EQ(d.api("GET", "/v1/vms").json["vms"].size(), 0u);
}

TEST(ManagerLifecycle, StopForcesAGuestThatIgnoresTheRequest) {
  Daemon d;
  d.start();
  // hvc0 console: the serial SysRq request never reaches the guest's console driver.
  json body = d.guest_vm("deaf");
  body["cmdline"] = "console=hvc0 quiet";
  ASSERT_EQ(d.api("POST", "/v1/vms", body).status, 201);
  ASSERT_EQ(d.api("POST", "/v1/vms/deaf/start", std::string()).status, 200);
  auto st = d.api("POST", "/v1/vms/deaf/stop", json{{"timeout_seconds", 0.5}});
  ASSERT_EQ(st.status, 200) << st.body;
  EXPECT_EQ(st.json["state"], "stopped");
}

TEST(ManagerLifecycle, DaemonKill9LosesNothing) {
  Daemon d;
  d.start();
  ASSERT_EQ(d.api("POST", "/v1/vms", d.guest_vm("x")).status, 201);
  ASSERT_EQ(d.api("POST", "/v1/vms", d.guest_vm("y")).status, 201);
  json auto_vm = d.guest_vm("z");
  auto_vm["autostart"] = true;
  ASSERT_EQ(d.api("POST", "/v1/vms", auto_vm).status, 201);
  const int px = d.api("POST", "/v1/vms/x/start", std::string()).json.value("pid", 0);
  const int py = d.api("POST", "/v1/vms/y/start", std::string()).json.value("pid", 0);
  ASSERT_GT(px, 0);
  ASSERT_GT(py, 0);
  {
    ConsoleStream cx(d.socket(), "x");
    expect_shell(cx, "x");
  }
  ASSERT_EQ(d.api("POST", "/v1/vms/y/pause", std::string()).status, 200);

  d.kill9();
  // While the daemon is away, y's VMM dies: the next daemon must notice.
  ASSERT_EQ(::kill(py, SIGKILL), 0);
  d.start();

  auto x = d.api("GET", "/v1/vms/x");
  EXPECT_EQ(x.json["state"], "running");
  EXPECT_EQ(x.json["pid"], px) << "re-adopted, not restarted";
  EXPECT_EQ(d.api("GET", "/v1/vms/y").json["state"], "stopped");
  EXPECT_TRUE(d.wait_state("z", "running", 30s)) << "autostart";
  // Still controllable: console (with history from before the restart), pause, resume, stop.
  ConsoleStream cx(d.socket(), "x");
  ASSERT_TRUE(cx.ok());
  EXPECT_TRUE(cx.expect("hello-x-42", 5s)) << "history survives the daemon";
  ASSERT_EQ(d.api("POST", "/v1/vms/x/pause", std::string()).json["state"], "paused");
  ASSERT_EQ(d.api("POST", "/v1/vms/x/resume", std::string()).json["state"], "running");
  cx.send("echo again-$((1+1))\n");
  EXPECT_TRUE(cx.expect("again-2", 30s));
  auto st = d.api("POST", "/v1/vms/x/stop", json{{"timeout_seconds", 30}});
  EXPECT_EQ(st.json["state"], "stopped") << st.body;
  EXPECT_TRUE(d.wait_state("x", "stopped", 10s));
  EXPECT_EQ(d.api("POST", "/v1/vms/z/kill", std::string()).json["state"], "stopped");
}

TEST(ManagerLifecycle, AVmmCrashTouchesNoOtherVm) {
  Daemon d;
  d.start();
  ASSERT_EQ(d.api("POST", "/v1/vms", d.guest_vm("victim")).status, 201);
  ASSERT_EQ(d.api("POST", "/v1/vms", d.guest_vm("bystander")).status, 201);
  const int victim = d.api("POST", "/v1/vms/victim/start", std::string()).json.value("pid", 0);
  ASSERT_EQ(d.api("POST", "/v1/vms/bystander/start", std::string()).status, 200);
  ConsoleStream c(d.socket(), "bystander");
  expect_shell(c, "by");
  ASSERT_GT(victim, 0);
  ASSERT_EQ(::kill(victim, SIGSEGV), 0);  // as if the VMM crashed
  ASSERT_TRUE(d.wait_state("victim", "stopped", 10s));
  EXPECT_EQ(d.api("GET", "/v1/vms/victim").json.value("last_exit", ""), "signal 11");
  c.send("echo still-$((2*2))\n");
  EXPECT_TRUE(c.expect("still-4", 30s)) << c.output();
  EXPECT_EQ(d.api("GET", "/v1/vms/bystander").json["state"], "running");
  EXPECT_EQ(d.api("POST", "/v1/vms/victim/start", std::string()).json["state"], "running") << "restartable";
  EXPECT_EQ(d.api("POST", "/v1/vms/victim/kill", std::string()).json["state"], "stopped");
  EXPECT_EQ(d.api("POST", "/v1/vms/bystander/kill", std::string()).json["state"], "stopped");
}

TEST(ManagerLifecycle, CpuCapSetWhileRunningIsMeasuredByTheVmm) {
  Daemon d;
  d.start();
  ASSERT_EQ(d.api("POST", "/v1/vms", d.guest_vm("busy")).status, 201);
  ASSERT_EQ(d.api("POST", "/v1/vms/busy/start", std::string()).status, 200);
  ConsoleStream c(d.socket(), "busy");
  expect_shell(c, "busy");
  c.send("while :; do :; done &\n");
  auto l = d.api("PATCH", "/v1/vms/busy/limits", json{{"cpu", 0.25}});
  ASSERT_EQ(l.status, 200) << l.body;
  EXPECT_EQ(l.json["config"]["limits"]["cpu"], 0.25);
  // The VMM's accounting (vCPU thread CPU time) over a measured window of wall time.
  auto sample = [&] {
    return std::pair{std::chrono::steady_clock::now(), d.api("GET", "/v1/vms/busy").json.value("vcpu_seconds", 0.0)};
  };
  const auto [t0, v0] = sample();
  std::this_thread::sleep_for(4s);  // the measurement window, not synchronisation
  const auto [t1, v1] = sample();
  const double ratio = (v1 - v0) / std::chrono::duration<double>(t1 - t0).count();
  EXPECT_GT(ratio, 0.10) << "the capped guest still runs";
  EXPECT_LT(ratio, 0.35) << "25% cap exceeded";
  // The cap is part of the definition and survives in the metrics export.
  auto r = http::http_request(d.socket(), "GET", "/metrics");
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("vessel_vm_vcpu_seconds_total{vm=\"busy\"}"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("vessel_vm_vcpu_throttled_seconds_total{vm=\"busy\"}"), std::string::npos);
  EXPECT_EQ(d.api("POST", "/v1/vms/busy/kill", std::string()).json["state"], "stopped");
}

}  // namespace
}  // namespace vessel::test
