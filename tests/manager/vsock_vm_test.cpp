// A VM defined with "vsock" gets virtio-vsock with its host socket at vms/NAME/vsock: the API
// names the socket, and a CONNECT through it reaches the guest (whose refusal, with nothing
// listening on the port, closes the client). The stream itself is tested in tests/vsock.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>
#include <tuple>
#include <vector>

#include "manager/daemon_fixture.h"

namespace vessel::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

TEST(ManagerVsock, AVmDefinedWithVsockServesItsSocket) {
  Daemon d;
  d.start();
  json vm = d.guest_vm("vs");
  vm["vsock"] = {{"cid", 7}};
  vm["start"] = true;
  auto r = d.api("POST", "/v1/vms", vm);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json["config"]["vsock"]["cid"], 7);
  auto show = d.api("GET", "/v1/vms/vs");
  ASSERT_TRUE(show.json.contains("vsock_socket")) << show.body;
  const std::string sock = show.json["vsock_socket"];
  EXPECT_EQ(sock, d.state_dir() + "/vms/vs/vsock");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, sock.c_str(), sizeof addr.sun_path - 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  bool connected = false;
  for (int i = 0; i < 1000 && !connected; ++i) {  // until the VMM listens (bounded: 10 s)
    connected = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (!connected) std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(connected);
  ASSERT_EQ(write(fd, "CONNECT 1\n", 10), 10);
  // The request waits for the guest's driver; the guest's RST then closes us without "OK".
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 60000), 1);
  char buf[16];
  EXPECT_EQ(read(fd, buf, sizeof buf), 0);
  close(fd);
  EXPECT_EQ(d.api("POST", "/v1/vms/vs/kill", std::string()).status, 200);
  // Bad definitions name the field.
  json bad = d.guest_vm("bad");
  bad["vsock"] = {{"cid", 1}};
  r = d.api("POST", "/v1/vms", bad);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("vsock.cid"), std::string::npos) << r.body;
}

// Without a guest agent the agent routes say why, and stop falls back to SysRq. The agent
// itself (Debian's qemu-ga) is exercised in tests/debian/debian_agent_test.cpp.
TEST(ManagerVsock, WithoutAGuestAgentExecIsRefusedAndStopUsesSysRq) {
  Daemon d;
  d.start();
  json plain = d.guest_vm("plain");
  plain["start"] = true;
  ASSERT_EQ(d.api("POST", "/v1/vms", plain).status, 201);
  auto r = d.api("POST", "/v1/vms/plain/exec", json{{"command", {"true"}}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.json["error"].value("code", ""), "no_guest_agent") << r.body;

  json vm = d.guest_vm("quiet");
  vm["vsock"] = {{"cid", 9}, {"agent_port", 4321}};
  vm["start"] = true;
  ASSERT_EQ(d.api("POST", "/v1/vms", vm).status, 201);
  ConsoleStream console(d.socket(), "quiet");
  ASSERT_TRUE(console.ok());
  ASSERT_TRUE(console.expect("VESSEL-GUEST-READY", 120s)) << console.output();
  // The guest's vsock driver is up and nothing listens on 4321: refused at once.
  r = d.api("POST", "/v1/vms/quiet/exec", json{{"command", {"true"}}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.json["error"].value("code", ""), "guest_agent_unavailable") << r.body;
  EXPECT_NE(r.body.find("4321"), std::string::npos) << r.body;
  r = d.api("GET", "/v1/vms/quiet/files?path=%2Fetc%2Fhostname");
  EXPECT_EQ(r.status, 409) << r.body;

  // Requests the API refuses before reaching the agent.
  for (const auto& [method, path, body] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"POST", "/v1/vms/quiet/exec", "{}"},
           {"POST", "/v1/vms/quiet/exec", R"({"command": []})"},
           {"POST", "/v1/vms/quiet/exec", R"({"command": ["true"], "timeout_seconds": 0})"},
           {"POST", "/v1/vms/quiet/exec", R"({"command": "true"})"},
           {"POST", "/v1/vms/quiet/exec", R"({"command": ["true"], "shell": true})"},
           {"GET", "/v1/vms/quiet/files", ""},
           {"GET", "/v1/vms/quiet/files?path=relative", ""},
           {"GET", "/v1/vms/quiet/files?path=%2Fetc&length=0", ""},
           {"GET", "/v1/vms/quiet/files?path=%2Fetc&offset=-1", ""},
           {"GET", "/v1/vms/quiet/files?path=%zz", ""},
           {"PUT", "/v1/vms/quiet/files?path=%2Ftmp%2Fx&append=maybe", "data"},
       }) {
    r = d.api(method, path, body);
    EXPECT_EQ(r.status, 400) << method << " " << path << " " << body << " -> " << r.body;
  }
  // (Not through d.api: DELETE on files is not in the OpenAPI document, which is the point.)
  auto del = http::http_request(d.socket(), "DELETE", "/v1/vms/quiet/files?path=%2Ftmp%2Fx");
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 405) << del->body;

  // shutdown: the same request, never forced; the test guest powers off on SysRq.
  r = d.api("POST", "/v1/vms/quiet/shutdown", json{{"timeout_seconds", 60}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.value("stop_method", ""), "sysrq") << r.body;
  EXPECT_EQ(r.json.value("state", ""), "stopped") << r.body;
  r = d.api("POST", "/v1/vms/quiet/shutdown", json::object());
  EXPECT_EQ(r.status, 409) << r.body;
  ASSERT_EQ(d.api("POST", "/v1/vms/quiet/start", json::object()).status, 200);
  {
    ConsoleStream again(d.socket(), "quiet");
    ASSERT_TRUE(again.expect("VESSEL-GUEST-READY", 120s)) << again.output();
  }
  r = d.api("POST", "/v1/vms/quiet/stop", json{{"timeout_seconds", 60}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.value("stop_method", ""), "sysrq") << r.body;
  EXPECT_FALSE(r.json.value("forced", true)) << r.body;
  r = d.api("POST", "/v1/vms/quiet/exec", json{{"command", {"true"}}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(d.api("POST", "/v1/vms/plain/kill", std::string()).status, 200);
}

// A VM restored from a snapshot under another name serves vsock at its own socket
// (vms/NEW/vsock), not at the path saved with the machine, and the daemon knows it has vsock
// (so the guest agent is looked for) although its definition only names the snapshot.
TEST(ManagerVsock, ARestoredVmServesVsockAtItsOwnSocket) {
  Daemon d;
  d.start();
  json vm = d.guest_vm("first");
  vm["vsock"] = {{"cid", 11}};
  vm["start"] = true;
  ASSERT_EQ(d.api("POST", "/v1/vms", vm).status, 201);
  {
    ConsoleStream console(d.socket(), "first");
    ASSERT_TRUE(console.expect("VESSEL-GUEST-READY", 120s)) << console.output();
  }
  const std::string snap = d.dir() + "/first.snap";
  ASSERT_EQ(d.api("POST", "/v1/vms/first/snapshot", json{{"path", snap}}).status, 200);
  // The first VM keeps running: the restored one must not take its socket.
  auto r = d.api("POST", "/v1/vms/second/restore", json{{"path", snap}});
  ASSERT_EQ(r.status, 201) << r.body;
  struct stat st{};
  EXPECT_EQ(stat((d.state_dir() + "/vms/second/vsock").c_str(), &st), 0) << "no socket in the restored VM's directory";
  EXPECT_EQ(stat((d.state_dir() + "/vms/first/vsock").c_str(), &st), 0) << "the first VM's socket is gone";
  r = d.api("POST", "/v1/vms/second/exec", json{{"command", {"true"}}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.json["error"].value("code", ""), "guest_agent_unavailable") << r.body;
  r = d.api("POST", "/v1/vms/first/exec", json{{"command", {"true"}}});
  EXPECT_EQ(r.json["error"].value("code", ""), "guest_agent_unavailable") << r.body;
  EXPECT_EQ(d.api("POST", "/v1/vms/second/kill", std::string()).status, 200);
  EXPECT_EQ(d.api("POST", "/v1/vms/first/kill", std::string()).status, 200);
}

}  // namespace
}  // namespace vessel::test
