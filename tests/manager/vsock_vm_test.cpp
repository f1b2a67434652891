// A VM defined with "vsock" gets virtio-vsock with its host socket at vms/NAME/vsock: the API
// names the socket, and a CONNECT through it reaches the guest (whose refusal, with nothing
// listening on the port, closes the client). The stream itself is tested in tests/vsock.
#include <gtest/gtest.h>
#include <poll.h>
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

}  // namespace
}  // namespace vessel::test
