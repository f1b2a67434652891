// POST /v1/vms/{name}/migrate and `vessel vm migrate`: a running VM moves to a new name on
// this host (a second VMM), keeps its processes and files, and the old name is gone; bad
// requests are refused and leave the VM where it was.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>

#include "manager/daemon_fixture.h"
#include "support/guest_process.h"

namespace vessel::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

TEST(ManagerMigrate, RunningVmMovesToANewNameAndKeepsItsState) {
  Daemon d;
  d.start();
  json body = d.guest_vm("mover");
  body["start"] = true;
  auto r = d.api("POST", "/v1/vms", body);
  ASSERT_EQ(r.status, 201) << r.body;
  {
    ConsoleStream con(d.socket(), "mover");
    ASSERT_TRUE(con.expect("VESSEL-GUEST-READY", 120s)) << con.output();
    con.send("echo kept-across\"\"-the-move > /tmp/f; (i=0; while true; do i=$((i+1)); sleep 1; done) &\n");
    ASSERT_TRUE(con.expect("# ", 30s)) << con.output();
  }
  // Bad requests first: each leaves the VM running.
  EXPECT_EQ(d.api("POST", "/v1/vms/mover/migrate", json::object()).status, 400);
  EXPECT_EQ(d.api("POST", "/v1/vms/mover/migrate", json{{"to", "mover"}}).status, 400);
  EXPECT_EQ(d.api("POST", "/v1/vms/mover/migrate", json{{"to", "x"}, {"colour", 1}}).status, 400);
  EXPECT_EQ(d.api("POST", "/v1/vms/nobody/migrate", json{{"to", "x"}}).status, 404);
  ASSERT_EQ(d.api("POST", "/v1/vms", d.guest_vm("taken")).status, 201);
  EXPECT_EQ(d.api("POST", "/v1/vms/mover/migrate", json{{"to", "taken"}}).status, 409);
  EXPECT_EQ(d.api("POST", "/v1/vms/taken/migrate", json{{"to", "y"}}).status, 409) << "a stopped VM does not move";
  EXPECT_EQ(d.api("GET", "/v1/vms/mover").json.value("state", ""), "running");

  r = d.api("POST", "/v1/vms/mover/migrate", json{{"to", "moved"}, {"downtime_ms", 100}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.value("name", ""), "moved");
  EXPECT_EQ(r.json.value("from", ""), "mover");
  EXPECT_GT(r.json.value("downtime_ms", 0.0), 0.0) << r.body;
  EXPECT_EQ(r.json["vm"].value("state", ""), "running") << r.body;
  EXPECT_EQ(d.api("GET", "/v1/vms/mover").status, 404);
  const auto moved = d.api("GET", "/v1/vms/moved");
  EXPECT_EQ(moved.json.value("state", ""), "running") << moved.body;
  EXPECT_EQ(moved.json["config"].value("name", ""), "moved") << "the definition moved with it";
  {
    ConsoleStream con(d.socket(), "moved");
    ASSERT_TRUE(con.expect("VESSEL-GUEST-READY", 30s)) << "the console history came along\n" << con.output();
    con.send("cat /tmp/f; jobs | grep -c Running\n");
    EXPECT_TRUE(con.expect("kept-across-the-move", 30s)) << con.output();
  }

  // The CLI's one-line summary.
  const std::string cmd = vessel_cli_bin() + " vm --socket " + d.socket() + " migrate moved --to moved2 --compress 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  std::array<char, 4096> buf;
  for (size_t n; (n = fread(buf.data(), 1, buf.size(), p)) > 0;) out.append(buf.data(), n);
  const int st = pclose(p);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << out;
  EXPECT_NE(out.find("migrated moved to moved2 in "), std::string::npos) << out;
  EXPECT_NE(out.find("downtime "), std::string::npos) << out;
  EXPECT_EQ(d.api("GET", "/v1/vms/moved2").json.value("state", ""), "running");
  EXPECT_EQ(d.api("POST", "/v1/vms/moved2/kill", json::object()).status, 200);
}

// Two daemons (as on two hosts sharing storage): the VM moves from one to the other under its
// own name, the first forgets it, the second runs it. A move the second daemon cannot take
// (a VM of that name exists there) leaves it running on the first.
TEST(ManagerMigrate, VmMovesToAnotherDaemon) {
  Daemon a, b;
  a.start();
  b.start();
  json body = a.guest_vm("roamer");
  body["start"] = true;
  ASSERT_EQ(a.api("POST", "/v1/vms", body).status, 201);
  {
    ConsoleStream con(a.socket(), "roamer");
    ASSERT_TRUE(con.expect("VESSEL-GUEST-READY", 120s)) << con.output();
    con.send("echo travelled\"\"-far > /tmp/f\n");
    ASSERT_TRUE(con.expect("# ", 30s)) << con.output();
  }
  ASSERT_EQ(b.api("POST", "/v1/vms", b.guest_vm("taken")).status, 201);
  auto r = a.api("POST", "/v1/vms/roamer/migrate", json{{"to", "unix:" + b.socket()}, {"name", "taken"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("already exists"), std::string::npos) << r.body;
  EXPECT_EQ(a.api("GET", "/v1/vms/roamer").json.value("state", ""), "running");
  r = a.api("POST", "/v1/vms/roamer/migrate", json{{"to", "unix:" + b.socket() + ".missing"}});
  EXPECT_GE(r.status, 400) << r.body;
  EXPECT_EQ(a.api("GET", "/v1/vms/roamer").json.value("state", ""), "running");

  r = a.api("POST", "/v1/vms/roamer/migrate", json{{"to", "unix:" + b.socket()}, {"compress", true}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.value("name", ""), "roamer");
  EXPECT_EQ(r.json.value("daemon", ""), b.socket());
  EXPECT_EQ(a.api("GET", "/v1/vms/roamer").status, 404);
  const auto there = b.api("GET", "/v1/vms/roamer");
  EXPECT_EQ(there.json.value("state", ""), "running") << there.body;
  {
    ConsoleStream con(b.socket(), "roamer");
    ASSERT_TRUE(con.expect("VESSEL-GUEST-READY", 30s)) << con.output();
    con.send("cat /tmp/f\n");
    EXPECT_TRUE(con.expect("travelled-far", 30s)) << con.output();
  }
  EXPECT_EQ(b.api("POST", "/v1/vms/roamer/kill", json::object()).status, 200);
}

}  // namespace
}  // namespace vessel::test
