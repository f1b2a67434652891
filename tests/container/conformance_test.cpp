// What the field's own tools found: configs as `runc spec` and runtime-tools generate them, and
// failures between `start` and the exec, which must reach the caller.
#include <unistd.h>

#include "runtime_harness.h"

namespace vessel::container::testing {
namespace {

class Conformance : public ContainerTest {};

// `runc spec` lists an ambient set but no inheritable one. The kernel refuses to raise those
// ambient capabilities; runc leaves them out and runs the container, and so must we.
TEST_F(Conformance, RuncSpecCapabilitiesWithoutAnInheritableSetRun) {
  auto config = config_for({"grep", "^Cap", "/proc/self/status"});
  const std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  config["process"]["capabilities"] = {{"bounding", caps}, {"effective", caps}, {"permitted", caps}, {"ambient", caps}};
  const auto r = run_container(config);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("CapEff:\t0000000020000420"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CapInh:\t0000000000000000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CapAmb:\t0000000000000000"), std::string::npos) << r.out;
}

TEST_F(Conformance, UnknownCapabilityNamesAreIgnoredWithAWarning) {
  auto config = config_for({"grep", "^CapBnd", "/proc/self/status"});
  const std::vector<std::string> caps = {"CAP_KILL", "CAP_FROM_THE_FUTURE"};
  config["process"]["capabilities"] = {{"bounding", caps}, {"effective", caps}, {"permitted", caps}};
  const auto r = run_container(config);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "CapBnd:\t0000000000000020\n");
  EXPECT_NE(r.err.find("ignoring unknown capability CAP_FROM_THE_FUTURE"), std::string::npos) << r.err;
}

// runtime-tools' profile lists personality with three values of argument 0, which libseccomp
// cannot AND: they mean "any of them", one rule each (as runc and podman's profiles do).
TEST_F(Conformance, SeccompConditionsOnOneArgumentAreAlternatives) {
  auto config = config_for({"sh", "-c", "linux64 true && echo linux64-allowed; linux32 true || echo linux32-denied"});
  config["linux"]["seccomp"] = {
      {"defaultAction", "SCMP_ACT_ALLOW"},
      {"architectures", {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}},
      {"syscalls",
       {{{"names", {"personality"}},
         {"action", "SCMP_ACT_ERRNO"},
         {"args",
          {{{"index", 0}, {"value", 8}, {"op", "SCMP_CMP_EQ"}},  // PER_LINUX32
           {{"index", 0}, {"value", 0xffffffffu}, {"op", "SCMP_CMP_EQ"}}}}}}}};
  const auto r = run_container(config);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "linux64-allowed\nlinux32-denied\n") << r.err;
}

// The profile is compiled by the runtime before anything exists: what libseccomp or the kernel
// cannot take fails `create` itself, leaving nothing behind.
TEST_F(Conformance, RejectedSeccompProfileFailsCreateAndLeavesNothing) {
  auto config = config_for({"true"});
  config["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                                {"flags", {"SECCOMP_FILTER_FLAG_NOT_A_FLAG"}},
                                {"syscalls", {{{"names", {"getcwd"}}, {"action", "SCMP_ACT_ERRNO"}}}}};
  const auto created = runtime({"create", "--bundle", bundle_with(config), "bad-seccomp"});
  EXPECT_NE(created.status, 0);
  EXPECT_NE(created.err.find("seccomp: unsupported flag"), std::string::npos) << created.err;
  EXPECT_NE(runtime({"state", "bad-seccomp"}).status, 0);
  EXPECT_EQ(runtime({"list", "-q"}).out, "");
}

// The program exists (create checks that) but cannot be executed: the init fails after `start`
// opened the FIFO. `start` must say so and exit non-zero; the container is then stopped.
TEST_F(Conformance, StartReportsAFailureBetweenStartAndTheExec) {
  const auto created = runtime({"create", "--bundle", bundle_with(config_for({"/proc/self/status"})), "noexec"});
  ASSERT_EQ(created.status, 0) << created.err;
  const auto started = runtime({"start", "noexec"});
  EXPECT_NE(started.status, 0);
  EXPECT_NE(started.err.find("Permission denied"), std::string::npos) << started.err;
  EXPECT_EQ(state("noexec")["status"], "stopped");
  EXPECT_EQ(runtime({"delete", "noexec"}).status, 0);
  EXPECT_EQ(runtime({"list", "-q"}).out, "");
}

// With a user namespace the init opens the exec FIFO as the mapped root (host uid 1000 here),
// not as the runtime's root: the FIFO must be usable by that uid whatever our umask is.
TEST_F(Conformance, CreateAndStartInAUserNamespace) {
  auto config = config_for({"sh", "-c", "id -u > /proc/self/fd/1"});
  config["linux"]["namespaces"].push_back({{"type", "user"}});
  config["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 1000}, {"size", 2000}}};
  config["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 1000}, {"size", 3000}}};
  const mode_t old = umask(077);
  const auto created = runtime({"create", "--bundle", bundle_with(config), "userns"});
  umask(old);
  ASSERT_EQ(created.status, 0) << created.err;
  const auto started = runtime({"start", "userns"});
  EXPECT_EQ(started.status, 0) << started.err;
  EXPECT_EQ(runtime({"delete", "--force", "userns"}).status, 0);
}

// An AppArmor profile that cannot be applied fails the container (as with runc), instead of
// running it unconfined.
TEST_F(Conformance, AnAppArmorProfileIsAppliedOrTheContainerFails) {
  auto config = config_for({"true"});
  config["process"]["apparmorProfile"] = "vessel-test-profile-that-is-not-loaded";
  const auto r = run_container(config);
  EXPECT_NE(r.status, 0);
  const bool enabled = access("/sys/module/apparmor/parameters/enabled", F_OK) == 0;
  EXPECT_NE(r.err.find(enabled ? "apply AppArmor profile" : "AppArmor is not enabled"), std::string::npos) << r.err;
  EXPECT_EQ(runtime({"list", "-q"}).out, "");
}

}  // namespace
}  // namespace vessel::container::testing
