// The guest agent channel with the reference agent: Debian's qemu-guest-agent in the trixie
// image (started on vsock by the recipe's udev rule and unit), driven through vesseld's REST
// API and the vessel CLI: commands with their output, input, environment and status, a
// command killed at its timeout, files larger than one request copied both ways, a stop that
// runs the guest's own shutdown (a unit's ExecStop leaves a mark on the disk, read after the
// next boot), and `vessel vm shutdown`. (The agent after a snapshot and restore is left out
// here until its intermittent failure is understood: see the stop notes of issue 18;
// tests/manager/vsock_vm_test.cpp covers the restored VM's socket.)
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <random>
#include <thread>

#include "debian/debian_guest.h"
#include "manager/daemon_fixture.h"

namespace vessel::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs a shell command line on the host: its stdout and exit status.
std::pair<std::string, int> host_run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {"", -1};
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int st = pclose(p);
  return {out, WIFEXITED(st) ? WEXITSTATUS(st) : -1};
}

// Waits until the guest agent answers a command (the guest boots meanwhile): each try ends
// at once with 409 while nothing listens, or after the agent's connect timeout.
::testing::AssertionResult wait_for_agent(Daemon& d, const std::string& vm, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  ApiResponse r;
  while (std::chrono::steady_clock::now() < deadline) {
    r = d.api("POST", "/v1/vms/" + vm + "/exec", json{{"command", {"true"}}});
    if (r.status == 200) return ::testing::AssertionSuccess();
    if (r.status != 409 && r.status != 500) break;  // anything but "not (yet) there" is a failure
    if (r.status == 409) std::this_thread::sleep_for(1s);  // the agent starts during boot; ask again
  }
  return ::testing::AssertionFailure() << "last answer: " << r.status << " " << r.body;
}

json exec(Daemon& d, const json& body, int want_status = 200) {
  const auto r = d.api("POST", "/v1/vms/trixie/exec", body);
  EXPECT_EQ(r.status, want_status) << body.dump() << " -> " << r.body;
  return r.json;
}

TEST(DebianGuestAgent, ExecCopyAndOrderlyStopThroughQemuGa) {
  std::string why;
  const DebianImage image = find_debian_image(why);
  if (image.dir.empty()) GTEST_SKIP() << why;
  Daemon d;
  d.start();
  const std::string overlay = make_overlay(image, d.dir());
  ASSERT_FALSE(overlay.empty());
  const json body{{"name", "trixie"},
                  {"cpus", 2},
                  {"memory", "1G"},
                  {"kernel", image.kernel()},
                  {"initrd", image.initrd()},
                  {"cmdline", image.cmdline},
                  {"drives", json::array({{{"file", overlay}}})},
                  {"vsock", {{"cid", 5}}},
                  {"start", true}};
  const auto created = d.api("POST", "/v1/vms", body);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json["config"]["vsock"].value("agent_port", 0), 1234) << created.body;
  ASSERT_TRUE(wait_for_agent(d, "trixie", 600s)) << "qemu-ga never answered on vsock port 1234";

  // Output, status, input and environment.
  json r = exec(d, {{"command", {"sh", "-c", "printf out; printf err >&2; exit 3"}}});
  EXPECT_EQ(r.value("exit_code", -1), 3);
  EXPECT_EQ(r.value("stdout", ""), "out");
  EXPECT_EQ(r.value("stderr", ""), "err");
  r = exec(d, {{"command", {"sh", "-c", "read line; echo \"$GREETING $line\""}},
               {"env", {"GREETING=hello", "PATH=/usr/bin:/bin"}},
               {"input", "from-the-host\n"}});
  EXPECT_EQ(r.value("stdout", ""), "hello from-the-host\n");
  r = exec(d, {{"command", {"uname", "-m"}}});
  EXPECT_EQ(r.value("stdout", ""), "riscv64\n");
  // A program the guest does not have: the agent's refusal, named.
  r = exec(d, {{"command", {"/no/such/program"}}}, 400);
  EXPECT_EQ(r["error"].value("code", ""), "guest_agent_error");
  // Past its timeout a command is killed, not left running.
  r = exec(d, {{"command", {"sleep", "600"}}, {"timeout_seconds", 2}}, 500);
  EXPECT_EQ(r["error"].value("code", ""), "exec_timeout");
  r = exec(d, {{"command", {"sh", "-c", "pgrep -x sleep || echo none"}}});
  EXPECT_EQ(r.value("stdout", ""), "none\n");

  // The CLI: the command's status becomes vessel's; files go in pieces of at most 4 MiB.
  const std::string cli = vessel_cli_bin() + " vm --socket " + d.socket() + " ";
  EXPECT_EQ(host_run(cli + "exec trixie -- sh -c 'echo via-cli; exit 7'"), std::make_pair(std::string("via-cli\n"), 7));
  std::string blob(9 * 1024 * 1024 + 123, '\0');
  std::mt19937_64 rng(18);
  for (auto& ch : blob) ch = static_cast<char>(rng());
  const std::string local = d.dir() + "/blob", back = d.dir() + "/blob.back";
  std::ofstream(local, std::ios::binary) << blob;
  EXPECT_EQ(host_run(cli + "cp " + local + " trixie:/root/blob").second, 0);
  const std::string host_sum = host_run("sha256sum < " + local).first.substr(0, 64);
  r = exec(d, {{"command", {"sh", "-c", "sha256sum < /root/blob"}}});
  EXPECT_EQ(r.value("stdout", "").substr(0, 64), host_sum);
  EXPECT_EQ(host_run(cli + "cp trixie:/root/blob " + back).second, 0);
  EXPECT_TRUE(read_file(back) == blob) << "the copy out differs from what went in";
  const auto missing = host_run(cli + "cp trixie:/no/such/file " + d.dir() + "/none 2>&1");
  EXPECT_EQ(missing.second, 1) << missing.first;
  EXPECT_FALSE(std::ifstream(d.dir() + "/none").good()) << "a failed copy left a file behind";

  // An orderly stop: a unit's ExecStop runs and writes to the disk.
  const std::string unit =
      "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n"
      "ExecStop=/bin/sh -c 'echo orderly > /var/lib/vessel-stop-mark'\n";
  auto put = d.api("PUT", "/v1/vms/trixie/files?path=/etc/systemd/system/vessel-mark.service", unit);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json.value("bytes", 0u), unit.size());
  r = exec(d, {{"command", {"systemctl", "start", "vessel-mark.service"}}});
  EXPECT_EQ(r.value("exit_code", -1), 0) << r.dump();
  const auto stop = d.api("POST", "/v1/vms/trixie/stop", json{{"timeout_seconds", 300}});
  ASSERT_EQ(stop.status, 200) << stop.body;
  EXPECT_EQ(stop.json.value("stop_method", ""), "guest_agent") << stop.body;
  EXPECT_FALSE(stop.json.value("forced", true)) << stop.body;
  EXPECT_EQ(d.api("GET", "/v1/vms/trixie").json.value("last_exit", ""), "poweroff");

  ASSERT_EQ(d.api("POST", "/v1/vms/trixie/start", json::object()).status, 200);
  ASSERT_TRUE(wait_for_agent(d, "trixie", 600s));
  r = exec(d, {{"command", {"cat", "/var/lib/vessel-stop-mark"}}});
  EXPECT_EQ(r.value("stdout", ""), "orderly\n") << "the guest's shutdown did not run its units' ExecStop";

  // `vessel vm shutdown`: through the agent, waited for, never forced.
  const auto down = host_run(cli + "--json shutdown trixie --timeout 300");
  ASSERT_EQ(down.second, 0) << down.first;
  const json answer = json::parse(down.first, nullptr, false);
  EXPECT_EQ(answer.value("stop_method", ""), "guest_agent") << down.first;
  EXPECT_EQ(answer.value("state", ""), "stopped") << down.first;
}

}  // namespace
}  // namespace vessel::test
