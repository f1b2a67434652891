// Hooks, the console socket, pause/resume.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "container/console.h"
#include "container/state_store.h"
#include "runtime_harness.h"

namespace vessel::container::testing {
namespace {

class Features : public ContainerTest {};

nlohmann::json hook_writing(const std::string& file) {
  return {{"path", "/bin/sh"}, {"args", {"sh", "-c", "cat > " + file}}};
}

TEST_F(Features, LifecycleHooksRunWithTheState) {
  const std::string dir = tmp_ + "/hooks";
  mkdir(dir.c_str(), 0755);
  auto config = config_for({"true"});
  config["mounts"].push_back({{"destination", "/hooks"}, {"type", "bind"}, {"source", dir}, {"options", {"bind"}}});
  config["hooks"] = {{"createRuntime", {hook_writing(dir + "/createRuntime")}},
                     {"createContainer", {hook_writing(dir + "/createContainer")}},
                     {"startContainer", {hook_writing("/hooks/startContainer")}},  // resolved in the container
                     {"poststart", {hook_writing(dir + "/poststart")}},
                     {"poststop", {hook_writing(dir + "/poststop")}}};
  const auto r = run_container(config, "hooked");
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* phase : {"createRuntime", "createContainer", "startContainer", "poststart", "poststop"}) {
    const auto state = nlohmann::json::parse(read_whole_file(dir + "/" + phase).value_or(""), nullptr, false);
    ASSERT_FALSE(state.is_discarded()) << phase << " hook did not run or got no state";
    EXPECT_EQ(state["id"], "hooked") << phase;
  }
}

TEST_F(Features, FailingHookFailsCreateAndLeavesNothing) {
  auto config = config_for({"true"});
  config["hooks"] = {{"createRuntime", {{{"path", "/bin/false"}}}}};
  const auto r = runtime({"create", "--bundle", bundle_with(config), "badhook"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("createRuntime hook"), std::string::npos) << r.err;
  EXPECT_EQ(runtime({"list", "-q"}).out, "");
}

TEST_F(Features, TerminalGoesThroughTheConsoleSocket) {
  const std::string path = tmp_ + "/console.sock";
  const int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(listener, 1), 0);

  auto config = config_for({"sh", "-c", "tty; echo done"});
  config["process"]["terminal"] = true;
  const auto created = runtime({"create", "--bundle", bundle_with(config), "--console-socket", path, "tty"});
  ASSERT_EQ(created.status, 0) << created.err;
  const int conn = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(conn, 0);
  const int master = receive_fd(conn);
  ASSERT_GE(master, 0);
  ASSERT_EQ(runtime({"start", "tty"}).status, 0);
  std::string output;
  char buf[256];
  ssize_t n;
  while ((n = read(master, buf, sizeof buf)) > 0) output.append(buf, static_cast<size_t>(n));  // EIO once closed
  EXPECT_NE(output.find("/dev/pts/0"), std::string::npos) << output;
  EXPECT_NE(output.find("done"), std::string::npos) << output;
  close(master);
  close(conn);
  close(listener);
}

TEST_F(Features, ForegroundRunRelaysTheTerminal) {
  const auto r = runtime({"run", "--rootfs", rootfs_, "-t", "--", "sh", "-c", "tty; echo relayed; exit 4"});
  EXPECT_EQ(r.status, 4) << r.err;
  EXPECT_NE(r.out.find("/dev/pts/0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("relayed"), std::string::npos) << r.out;
  auto config = config_for({"tty"});
  config["process"]["terminal"] = true;
  const auto oci = run_container(config);
  EXPECT_EQ(oci.status, 0) << oci.err;
  EXPECT_NE(oci.out.find("/dev/pts/0"), std::string::npos) << oci.out;

  ASSERT_GT(start_container("ttyexec", config_for({"sleep", "1000"})), 0);
  const auto exec = runtime({"exec", "-t", "ttyexec", "sh", "-c", "tty; exit 6"});
  EXPECT_EQ(exec.status, 6) << exec.err;
  EXPECT_NE(exec.out.find("/dev/pts/"), std::string::npos) << exec.out;
}

TEST_F(Features, PauseAndResume) {
  ASSERT_GT(start_container("frozen", config_for({"sleep", "1000"})), 0);
  ASSERT_EQ(runtime({"pause", "frozen"}).status, 0);
  EXPECT_EQ(state("frozen")["status"], "paused");
  EXPECT_NE(runtime({"pause", "frozen"}).status, 0);
  ASSERT_EQ(runtime({"resume", "frozen"}).status, 0);
  EXPECT_EQ(state("frozen")["status"], "running");
}

}  // namespace
}  // namespace vessel::container::testing
