// A VM defined with "gdb": true gets a GDB stub on vms/NAME/gdb: the API names the socket, and
// the stub answers the remote protocol there (gdb itself is exercised in tests/gdb).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "manager/daemon_fixture.h"

namespace vessel::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string rsp_exchange(const std::string& path, const std::string& packet) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "connect failed";
  }
  unsigned sum = 0;
  for (unsigned char c : packet) sum += c;
  char frame[256];
  snprintf(frame, sizeof frame, "$%s#%02x", packet.c_str(), sum & 0xff);
  (void)!write(fd, frame, strlen(frame));
  std::string got;
  char buf[512];
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  while (got.find('#') == std::string::npos || got.size() < got.find('#') + 3) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  (void)!write(fd, "+$D#44", 6);  // acknowledge, then detach: the VM goes on
  close(fd);
  return got;
}

TEST(ManagerDebug, AVmDefinedWithGdbServesTheStub) {
  Daemon d;
  d.start();
  json vm = d.guest_vm("dbg");
  vm["gdb"] = true;
  vm["start"] = true;
  auto r = d.api("POST", "/v1/vms", vm);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json["config"]["gdb"], true);
  auto show = d.api("GET", "/v1/vms/dbg");
  ASSERT_TRUE(show.json.contains("gdb_socket")) << show.body;
  const std::string sock = show.json["gdb_socket"];
  EXPECT_EQ(sock, d.state_dir() + "/vms/dbg/gdb");
  // The stub stops the VM on attach and answers '?' with a stop reply naming hart 0.
  std::string reply;
  for (int i = 0; i < 200 && access(sock.c_str(), F_OK) != 0; ++i) std::this_thread::sleep_for(10ms);  // bounded
  reply = rsp_exchange(sock, "?");
  EXPECT_NE(reply.find("$T02thread:1;"), std::string::npos) << reply;
  EXPECT_TRUE(d.wait_state("dbg", "running", 30s));
  EXPECT_EQ(d.api("POST", "/v1/vms/dbg/kill", std::string()).status, 200);
  // Without the field, no stub.
  ASSERT_EQ(d.api("POST", "/v1/vms", d.guest_vm("plain")).status, 201);
  EXPECT_EQ(d.api("GET", "/v1/vms/plain").json["config"]["gdb"], false);
}

}  // namespace
}  // namespace vessel::test
