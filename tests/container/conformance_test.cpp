// What the field's own tools found: configs as `runc spec` and runtime-tools generate them, and
// failures between `start` and the exec, which must reach the caller.
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

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

// A seccomp agent: accepts the runtime's connection on `path`, takes the listener fd and the
// process state, then answers every notified syscall with EACCES, `count` times.
struct SeccompAgent {
  explicit SeccompAgent(const std::string& path, int count) {
    listener_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    ok_ = bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && listen(listener_, 1) == 0;
    thread_ = std::thread([this, count] { serve(count); });
  }
  ~SeccompAgent() {
    shutdown(listener_, SHUT_RDWR);
    thread_.join();
    close(listener_);
  }
  void serve(int count) {
    const int conn = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) return;
    char buf[8192] = {};
    msghdr msg{};
    iovec iov{buf, sizeof buf - 1};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
    close(conn);
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    if (n <= 0 || !cmsg || cmsg->cmsg_type != SCM_RIGHTS) return;
    std::memcpy(&fd_, CMSG_DATA(cmsg), sizeof(int));
    state_ = std::string(buf, static_cast<size_t>(n));
    seccomp_notif_sizes sizes{};
    syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes);
    std::vector<char> req_buf(std::max<size_t>(sizes.seccomp_notif, sizeof(seccomp_notif)));
    std::vector<char> resp_buf(std::max<size_t>(sizes.seccomp_notif_resp, sizeof(seccomp_notif_resp)));
    for (int i = 0; i < count; ++i) {
      std::fill(req_buf.begin(), req_buf.end(), 0);
      auto* req = reinterpret_cast<seccomp_notif*>(req_buf.data());
      pollfd p{fd_, POLLIN, 0};  // bounded: a container that never calls it must not hang the test
      if (poll(&p, 1, 30000) != 1 || !(p.revents & POLLIN)) break;
      if (ioctl(fd_, SECCOMP_IOCTL_NOTIF_RECV, req) != 0) break;
      std::fill(resp_buf.begin(), resp_buf.end(), 0);
      auto* resp = reinterpret_cast<seccomp_notif_resp*>(resp_buf.data());
      resp->id = req->id;
      resp->error = -EACCES;
      ioctl(fd_, SECCOMP_IOCTL_NOTIF_SEND, resp);
      ++answered_;
    }
    close(fd_);
  }
  bool ok_ = false;
  int listener_ = -1, fd_ = -1;
  int answered_ = 0;
  std::string state_;
  std::thread thread_;
};

// SCMP_ACT_NOTIFY: the listener reaches the agent on listenerPath with the process state, for
// the container and again for each exec; the agent decides what the notified syscall returns.
TEST_F(Conformance, SeccompNotifyHandsTheListenerToTheAgent) {
  const std::string path = tmp_ + "/agent.sock";
  auto config = config_for({"sh", "-c", "mkdir /tmp/denied 2>&1; echo done"});
  config["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ALLOW"},
                                {"listenerPath", path},
                                {"listenerMetadata", "vessel-test"},
                                {"syscalls", {{{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_NOTIFY"}}}}};
  nlohmann::json state;
  {
    SeccompAgent agent(path, 1);
    ASSERT_TRUE(agent.ok_);
    const auto r = run_container(config);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("Permission denied"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("done"), std::string::npos) << r.out;
    EXPECT_EQ(agent.answered_, 1);
    state = nlohmann::json::parse(agent.state_, nullptr, false);
  }
  ASSERT_FALSE(state.is_discarded());
  EXPECT_EQ(state["fds"], nlohmann::json({"seccompFd"}));
  EXPECT_EQ(state["metadata"], "vessel-test");
  EXPECT_GT(state.value("pid", 0), 0);
  EXPECT_EQ(state["state"]["id"].get<std::string>().rfind("run", 0), 0u);

  config["linux"]["seccomp"].erase("listenerPath");
  EXPECT_NE(run_container(config).err.find("SCMP_ACT_NOTIFY needs listenerPath"), std::string::npos);
}

}  // namespace
}  // namespace vessel::container::testing
