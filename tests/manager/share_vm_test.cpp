// A VM defined with "shares" gets virtio-9p devices: the definition round-trips through the
// API, and the guest mounts the share and writes a file the host reads (jailed when vesseld
// jails VMMs, its default as root). The protocol itself is tested in tests/share.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "manager/daemon_fixture.h"

namespace vessel::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST(ManagerShare, AVmDefinedWithASharedDirectoryMountsIt) {
  Daemon d;
  d.start();
  const fs::path share = fs::path(d.dir()) / "shared";
  fs::create_directories(share);
  std::ofstream(share / "host.txt") << "from the host\n";
  // The jailed VMM runs as a uid of the daemon's range, unknown here: let any uid write.
  fs::permissions(share, fs::perms::all);
  json vm = d.guest_vm("sh");
  vm["shares"] = json::array({{{"tag", "data"}, {"path", share.string()}}});
  vm["start"] = true;
  auto r = d.api("POST", "/v1/vms", vm);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json["config"]["shares"][0]["tag"], "data");
  ASSERT_TRUE(d.wait_state("sh", "running", 60s));
  ConsoleStream console(d.socket(), "sh");
  ASSERT_TRUE(console.ok());
  console.send("\n");
  ASSERT_TRUE(console.expect("# ", 60000ms)) << console.output();
  console.send("mkdir -p /mnt && mount -t 9p -o trans=virtio,version=9p2000.L data /mnt && cat /mnt/host.txt && "
               "echo from-the-guest > /mnt/guest.txt && umount /mnt && echo share-$((40+2))\n");
  ASSERT_TRUE(console.expect("share-42", 60000ms)) << console.output();
  EXPECT_NE(console.output().find("from the host"), std::string::npos) << console.output();
  std::string line;
  std::getline(std::ifstream(share / "guest.txt"), line);
  EXPECT_EQ(line, "from-the-guest");
  EXPECT_EQ(d.api("POST", "/v1/vms/sh/kill", std::string()).status, 200);
  // Bad definitions name the field.
  json bad = d.guest_vm("bad");
  bad["shares"] = json::array({{{"tag", "data"}, {"path", (share / "missing").string()}}});
  r = d.api("POST", "/v1/vms", bad);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("shares[0].path"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace vessel::test
