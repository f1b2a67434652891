// What a container sees: its own pid 1, hostname, mounts, network; nothing of the host.
#include <fstream>

#include "runtime_harness.h"

namespace vessel::container::testing {
namespace {

class Isolation : public ContainerTest {};

TEST_F(Isolation, ProcessIsPid1AndSeesNoHostProcess) {
  const auto r = run_container(config_for({"sh", "-c", "echo $$; ls /proc | grep -c '^[0-9]'"}));
  ASSERT_EQ(r.status, 0) << r.err;
  std::stringstream ss(r.out);
  int self = 0, visible = 0;
  ss >> self >> visible;
  EXPECT_EQ(self, 1);
  EXPECT_GE(visible, 1);
  EXPECT_LE(visible, 4) << "sh, ls and grep at most";
}

TEST_F(Isolation, HostnameAndMountsAreItsOwn) {
  auto config = config_for({"sh", "-c", "hostname; grep -c ' /proc ' /proc/mounts; ls /marker 2>&1; ls /"});
  config["hostname"] = "inside";
  std::ofstream(rootfs_ + "/../host-only-file") << "secret";
  const auto r = run_container(config);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "inside");
  EXPECT_NE(r.out.find("No such file"), std::string::npos);
  EXPECT_EQ(r.out.find("host-only-file"), std::string::npos);
  EXPECT_EQ(r.out.find("state"), std::string::npos) << "host directories visible: " << r.out;
  const auto host_hostname = run_process({"/bin/hostname"});
  EXPECT_NE(host_hostname.out, "inside\n");
}

TEST_F(Isolation, NewNetworkNamespaceHasOnlyLoopback) {
  const auto r = run_container(config_for({"ls", "/sys/class/net"}));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "lo\n");
}

TEST_F(Isolation, UserNamespaceMapsContainerRoot) {
  auto config = config_for({"sh", "-c", "id -u; cat /proc/self/uid_map"});
  config["linux"]["namespaces"].push_back({{"type", "user"}});
  config["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  config["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  const auto r = run_container(config);
  ASSERT_EQ(r.status, 0) << r.err;
  std::stringstream ss(r.out);
  std::string uid, inside, outside, size;
  ss >> uid >> inside >> outside >> size;
  EXPECT_EQ(uid, "0");
  EXPECT_EQ(inside, "0");
  EXPECT_EQ(outside, "100000");
  EXPECT_EQ(size, "65536");
}

TEST_F(Isolation, OverlayRootKeepsTheSharedBaseUntouched) {
  const auto r = runtime({"run", "--rootfs", rootfs_, "--", "sh", "-c", "echo data > /written; cat /written"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "data\n");
  EXPECT_NE(access((rootfs_ + "/written").c_str(), F_OK), 0) << "the overlay wrote into the shared base";
  EXPECT_EQ(runtime({"list", "-q"}).out, "") << "run --rootfs must clean up";
}

}  // namespace
}  // namespace vessel::container::testing
