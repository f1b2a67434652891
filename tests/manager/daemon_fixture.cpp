#include "manager/daemon_fixture.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "http/http_client.h"
#include "support/guest_process.h"

namespace vessel::test {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string vesseld_bin() {
  const char* p = getenv("VESSELD_BIN");
  return p ? p : "vesseld";
}

std::string vessel_cli_bin() {
  const char* p = getenv("VESSEL_BIN");
  if (p && *p) return p;
  return std::filesystem::path(vesseld_bin()).parent_path() / "vessel";
}

const OpenApi& openapi() {
  static const OpenApi api = OpenApi::load(OPENAPI_YAML);
  return api;
}

Daemon::Daemon() {
  char tmpl[] = "/tmp/vessel-mgr-XXXXXX";
  dir_ = mkdtemp(tmpl);
  socket_ = dir_ + "/vessel.sock";
}

Daemon::~Daemon() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  // Every VMM the daemon reported, by pid and only if it is still the same process.
  for (const auto& id : vmms_)
    if (manager::process_alive(id)) ::kill(id.pid, SIGKILL);
  for (const auto& id : vmms_) {
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (manager::process_alive(id) && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Containers outlive the daemon by design: delete each one the runtime still knows.
  std::error_code ec;
  const std::string runtime_root = state_dir() + "/containers/.runtime";
  for (const auto& e : std::filesystem::directory_iterator(runtime_root, ec)) {
    const std::string runc = (std::filesystem::path(vesseld_bin()).parent_path() / "vessel-runc").string();
    const pid_t p = fork();
    if (p == 0) {
      execl(runc.c_str(), runc.c_str(), "--root", runtime_root.c_str(), "delete", "--force",
            e.path().filename().c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    if (p > 0) waitpid(p, nullptr, 0);
  }
  std::filesystem::remove_all(dir_, ec);
}

void Daemon::start(const std::vector<std::string>& extra) {
  std::vector<std::string> args = {vesseld_bin(), "--socket", socket_, "--state-dir", state_dir(),
                                   "--log-file", dir_ + "/vesseld.log"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = fork();
  if (pid_ == 0) {
    execv(argv[0], argv.data());
    _exit(127);
  }
  ASSERT_GT(pid_, 0);
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  for (;;) {
    const int fd = http::connect_unix(socket_);
    if (fd >= 0) {
      close(fd);
      return;
    }
    int status;
    ASSERT_EQ(waitpid(pid_, &status, WNOHANG), 0) << "vesseld exited during start";
    ASSERT_LT(Clock::now(), deadline) << "vesseld did not listen on " << socket_;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void Daemon::kill9() {
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void Daemon::remember(const json& vm) {
  if (!vm.is_object() || !vm.contains("pid")) return;
  const pid_t pid = vm["pid"].get<pid_t>();
  for (const auto& id : vmms_)
    if (id.pid == pid) return;
  if (auto st = manager::process_start_time(pid)) vmms_.push_back({pid, *st});
}

ApiResponse Daemon::api(const std::string& method, const std::string& path, const std::string& body) {
  ApiResponse out;
  auto r = http::http_request(socket_, method, path, body);
  if (!r) {
    ADD_FAILURE() << method << " " << path << ": " << r.error();
    return out;
  }
  out.status = r->status;
  out.body = r->body;
  if (r->content_type.rfind("application/json", 0) == 0) out.json = json::parse(r->body, nullptr, false);
  const std::string problem = openapi().check_response(method, path, r->status, r->content_type, r->body);
  EXPECT_EQ(problem, "") << method << " " << path << " -> " << r->status << " " << r->body;
  remember(out.json);
  if (out.json.is_object() && out.json.contains("vms"))
    for (const auto& vm : out.json["vms"]) remember(vm);
  return out;
}

json Daemon::guest_vm(const std::string& name, const std::string& extra) {
  static const std::string guest = guest_dir();  // runs a script: once
  return {{"name", name},
          {"memory", "128M"},
          {"kernel", guest + "/Image"},
          {"initrd", guest + "/initramfs.cpio.gz"},
          {"cmdline", "console=ttyS0 quiet" + (extra.empty() ? "" : " " + extra)}};
}

bool Daemon::wait_state(const std::string& name, const std::string& state, std::chrono::seconds timeout) {
  return wait_state_at("/v1/vms/" + name, state, timeout);
}

bool Daemon::wait_state_at(const std::string& path, const std::string& state, std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto r = api("GET", path);
    if (r.status == 200 && r.json.value("state", "") == state) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

ConsoleStream::ConsoleStream(const std::string& socket, const std::string& vm)
    : ConsoleStream(socket, ApiPath{"/v1/vms/" + vm + "/console"}) {}

ConsoleStream::ConsoleStream(const std::string& socket, const ApiPath& route)
    : ConsoleStream(http::unix_target(socket), route) {}

ConsoleStream::ConsoleStream(const http::Target& daemon, const ApiPath& route) {
  auto c = http::http_open_stream(daemon, "GET", route.path,
                                 "Connection: Upgrade\r\nUpgrade: vessel-console\r\n");
  if (!c) return;
  if (c->status != 101) {
    close(c->fd);
    return;
  }
  fd_ = c->fd;
  out_ = c->initial;
}

ConsoleStream::~ConsoleStream() {
  if (fd_ >= 0) close(fd_);
}

bool ConsoleStream::read_some(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char buf[8192];
  const ssize_t n = recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) return false;
  out_.append(buf, static_cast<size_t>(n));
  return true;
}

bool ConsoleStream::expect(const std::string& text, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const size_t at = out_.find(text, cursor_);
    if (at != std::string::npos) {
      cursor_ = at + text.size();
      return true;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || !read_some(left)) {  // timeout or end of stream: one last look
      const size_t last = out_.find(text, cursor_);
      if (last == std::string::npos) return false;
      cursor_ = last + text.size();
      return true;
    }
  }
}

bool ConsoleStream::quiet_for(std::chrono::milliseconds window) {
  const size_t before = out_.size();
  const auto deadline = Clock::now() + window;
  while (Clock::now() < deadline)
    read_some(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
  return out_.size() == before;
}

void ConsoleStream::send(const std::string& text) {
  ASSERT_EQ(::send(fd_, text.data(), text.size(), MSG_NOSIGNAL), static_cast<ssize_t>(text.size()));
}

}  // namespace vessel::test
