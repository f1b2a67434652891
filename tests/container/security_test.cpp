// seccomp, capabilities, read-only root, masked paths, no_new_privs, identity.
#include "runtime_harness.h"

namespace vessel::container::testing {
namespace {

class Security : public ContainerTest {};

TEST_F(Security, SeccompRuleDeniesItsSyscallWithTheConfiguredErrno) {
  auto config = config_for({"sh", "-c", "echo before; mkdir /tmp/blocked; echo status=$?"});
  config["linux"]["seccomp"] = {
      {"defaultAction", "SCMP_ACT_ALLOW"},
      {"architectures", {"SCMP_ARCH_X86_64"}},
      {"syscalls", {{{"names", {"mkdir", "mkdirat", "not_a_real_syscall"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 38}}}}};
  const auto r = run_container(config);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "before\nstatus=1\n");
  EXPECT_NE(r.err.find("Function not implemented"), std::string::npos) << r.err;  // ENOSYS = 38
}

TEST_F(Security, DroppedCapabilitiesDenyMknodAndChown) {
  const std::string script = "mknod /tmp/null c 1 3 && echo mknod-ok; touch /tmp/f; chown 1:1 /tmp/f && echo chown-ok; true";
  auto with_caps = config_for({"sh", "-c", script});
  const std::vector<std::string> caps = {"CAP_MKNOD", "CAP_CHOWN"};
  with_caps["process"]["capabilities"] = {{"bounding", caps}, {"effective", caps}, {"permitted", caps}};
  const auto allowed = run_container(with_caps);
  EXPECT_EQ(allowed.out, "mknod-ok\nchown-ok\n") << allowed.err;

  auto without = config_for({"sh", "-c", script});
  const std::vector<std::string> none = {"CAP_KILL"};
  without["process"]["capabilities"] = {{"bounding", none}, {"effective", none}, {"permitted", none}};
  const auto denied = run_container(without);
  EXPECT_EQ(denied.out, "");
  EXPECT_NE(denied.err.find("Operation not permitted"), std::string::npos) << denied.err;
}

TEST_F(Security, AllFiveCapabilitySetsForANonRootUser) {
  auto config = config_for({"grep", "^Cap", "/proc/self/status"});
  const std::vector<std::string> bind = {"CAP_NET_BIND_SERVICE"};  // bit 10
  const std::vector<std::string> bounding = {"CAP_NET_BIND_SERVICE", "CAP_KILL"};  // bits 10 and 5
  config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
  config["process"]["capabilities"] = {
      {"bounding", bounding}, {"effective", bind}, {"permitted", bind}, {"inheritable", bind}, {"ambient", bind}};
  const auto r = run_container(config);
  ASSERT_EQ(r.status, 0) << r.err;
  // Ambient capabilities survive the exec of an ordinary binary by a non-root user.
  EXPECT_NE(r.out.find("CapInh:\t0000000000000400"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CapPrm:\t0000000000000400"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CapEff:\t0000000000000400"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CapBnd:\t0000000000000420"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CapAmb:\t0000000000000400"), std::string::npos) << r.out;
}

TEST_F(Security, ReadOnlyRootRefusesWrites) {
  auto config = config_for({"sh", "-c", "touch /written"});
  config["root"]["readonly"] = true;
  const auto r = run_container(config);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("Read-only file system"), std::string::npos) << r.err;
}

TEST_F(Security, MaskedAndReadOnlyPaths) {
  auto config = config_for({"sh", "-c", "wc -c < /etc/passwd; ls /sys/kernel | wc -l; echo 1 > /proc/sys/vm/drop_caches"});
  config["linux"]["maskedPaths"].push_back("/etc/passwd");  // a file: /dev/null on top
  config["linux"]["maskedPaths"].push_back("/sys/kernel");  // a directory: an empty tmpfs on top
  const auto r = run_container(config);
  EXPECT_EQ(r.out, "0\n0\n");
  EXPECT_NE(r.err.find("Read-only file system"), std::string::npos) << r.err;
}

TEST_F(Security, NoNewPrivilegesUserGroupsUmaskEnvCwd) {
  auto config = config_for({"sh", "-c", "grep NoNewPrivs /proc/self/status; id; umask; echo $GREETING; pwd"});
  config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}, {"additionalGids", {5, 6}}, {"umask", 63}};
  config["process"]["env"].push_back("GREETING=hello");
  config["process"]["cwd"] = "/tmp";
  const auto r = run_container(config);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("NoNewPrivs:\t1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("uid=1000 gid=1000 groups=5,6"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0077\nhello\n/tmp\n"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vessel::container::testing
