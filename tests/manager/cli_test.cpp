// `vessel vm ...` against a real daemon: tables, --json, exit statuses, error messages.
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

struct CliResult {
  int status = -1;
  std::string out;
};

CliResult cli(const Daemon& d, const std::string& args, bool with_env_socket = false) {
  const std::string cmd = (with_env_socket ? "VESSEL_SOCKET=" + d.socket() + " " + vessel_cli_bin() + " vm "
                                           : vessel_cli_bin() + " vm --socket " + d.socket() + " ") +
                          args + " 2>&1 </dev/null";
  CliResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

TEST(ManagerCli, CreateStartShowListConsoleStopRemove) {
  Daemon d;
  d.start();
  const std::string g = guest_dir();
  auto r = cli(d, "create web --kernel " + g + "/Image --initrd " + g +
                      "/initramfs.cpio.gz --cmdline 'console=ttyS0 quiet' --memory 128M --cpu-cap 0.5");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("stopped"), std::string::npos) << r.out;
  r = cli(d, "create web --kernel " + g + "/Image");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("already exists"), std::string::npos) << r.out;
  r = cli(d, "start web", true);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("running"), std::string::npos) << r.out;

  r = cli(d, "ls");
  ASSERT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("NAME"), std::string::npos);
  EXPECT_NE(r.out.find("web"), std::string::npos);
  EXPECT_NE(r.out.find("128.0 MiB"), std::string::npos) << r.out;

  r = cli(d, "--json show web");
  ASSERT_EQ(r.status, 0);
  const json j = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(openapi().check_schema("Vm", j), "");
  EXPECT_EQ(j["state"], "running");
  EXPECT_EQ(j["config"]["limits"]["cpu"], 0.5);

  // Console with piped input: the typed command runs, its output comes back.
  {
    ConsoleStream c(d.socket(), "web");
    ASSERT_TRUE(c.expect("VESSEL-GUEST-READY", 120s)) << c.output();
  }
  const std::string cmd = "printf 'echo cli-$((3*3))\\n' | timeout 20 " + vessel_cli_bin() + " vm --socket " + d.socket() +
                          " console web 2>&1 | grep -m1 cli-9";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char line[256] = {};
  const bool got = fgets(line, sizeof line, p) != nullptr;
  pclose(p);
  EXPECT_TRUE(got && std::string(line).find("cli-9") != std::string::npos) << line;

  r = cli(d, "limits web --cpu 0");
  EXPECT_TRUE(r.status == 0 || r.out.find("does not support") != std::string::npos) << r.out;
  r = cli(d, "pause web");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("paused"), std::string::npos);
  r = cli(d, "resume web");
  EXPECT_EQ(r.status, 0) << r.out;
  r = cli(d, "rm web");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("stop or kill it first"), std::string::npos) << r.out;
  r = cli(d, "stop web --timeout 30");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("stopped"), std::string::npos) << r.out;
  r = cli(d, "rm web");
  EXPECT_EQ(r.status, 0) << r.out;
  r = cli(d, "show web");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("no VM named 'web'"), std::string::npos) << r.out;
}

TEST(ManagerCli, UsageErrorsAndNoDaemon) {
  Daemon d;  // not started
  auto r = cli(d, "ls");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("is vesseld running"), std::string::npos) << r.out;
  r = cli(d, "frobnicate");
  EXPECT_EQ(r.status, 2) << r.out;
  r = cli(d, "create");
  EXPECT_EQ(r.status, 2) << r.out;
}

}  // namespace
}  // namespace vessel::test
