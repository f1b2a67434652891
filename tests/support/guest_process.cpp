#include "guest_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

namespace vessel::test {

namespace {

// VESSEL_TEST_SANDBOX=1 runs every `vessel run` of a Linux guest jailed (--sandbox): the same
// guest tests, checked against a jailed VMM.
std::vector<std::string> with_test_options(std::vector<std::string> args) {
  const char* jail = getenv("VESSEL_TEST_SANDBOX");
  if (!jail || std::string(jail) != "1") return args;
  // `vessel run ...`, also behind a wrapper (`ip netns exec NS vessel run ...`).
  bool runs_vm = false;
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i + 1] == "run" && args[i].size() >= 6 && args[i].compare(args[i].size() - 6, 6, "vessel") == 0)
      runs_vm = true;
  if (!runs_vm) return args;
  for (const auto& a : args)
    if (a == "--elf" || a == "--sandbox") return args;
  if (geteuid() != 0) {
    fprintf(stderr, "VESSEL_TEST_SANDBOX=1 ignored: the jail needs root; this VM runs unjailed\n");
    return args;
  }
  // One uid for every run, as an operator would give: a jail may replace files (snapshots)
  // an earlier jail of the same uid wrote in a shared directory, never another uid's.
  args.insert(args.end(), {"--sandbox", "--sandbox-uid", "271830"});
  return args;
}

}  // namespace

GuestProcess::GuestProcess(const std::vector<std::string>& given) {
  const std::vector<std::string> args = with_test_options(given);
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(in[0], STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    dup2(out[1], STDERR_FILENO);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  in_fd_ = in[1];
  out_fd_ = out[0];
}

pid_t GuestProcess::vmm_pid() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/task/" + std::to_string(pid_) + "/children");
  pid_t child = 0;
  if (in >> child && child > 0 && !(in >> std::ws).good()) return child;
  return pid_;
}

GuestProcess::~GuestProcess() {
  if (!status_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (in_fd_ >= 0) close(in_fd_);
  if (out_fd_ >= 0) close(out_fd_);
}

bool GuestProcess::read_some(std::chrono::milliseconds timeout) {
  pollfd p{out_fd_, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
  std::array<char, 4096> buf;
  const ssize_t n = read(out_fd_, buf.data(), buf.size());
  if (n <= 0) {
    eof_ = true;
    return false;
  }
  output_.append(buf.data(), static_cast<size_t>(n));
  return true;
}

bool GuestProcess::expect(const std::string& text, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const size_t at = output_.find(text, cursor_);
    if (at != std::string::npos) {
      cursor_ = at + text.size();
      return true;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || eof_) return false;
    read_some(left);
  }
}

void GuestProcess::send(const std::string& text) {
  size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = write(in_fd_, text.data() + off, text.size() - off);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

void GuestProcess::close_input() {
  if (in_fd_ >= 0) close(in_fd_);
  in_fd_ = -1;
}

void GuestProcess::signal(int signo) {
  if (signo && pid_ > 0 && !status_) kill(pid_, signo);
}

std::optional<int> GuestProcess::wait_exit(std::chrono::seconds timeout) {
  if (status_) return status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int st;
    rusage ru;
    // Once the child's output is closed it is exiting: block; before that, poll while draining
    // its output so it never stalls on a full pipe.
    const pid_t r = wait4(pid_, &st, eof_ ? 0 : WNOHANG, &ru);
    if (r == pid_) {
      max_rss_kib_ = ru.ru_maxrss;
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      while (read_some(std::chrono::milliseconds(0))) {
      }
      return status_;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    read_some(std::min(left, std::chrono::milliseconds(100)));
  }
}

std::string guest_dir() {
  if (const char* d = getenv("VESSEL_GUEST_DIR"); d && *d) return d;
  const std::string script = std::string(VESSEL_SOURCE_DIR) + "/scripts/guest-dir.sh";
  FILE* p = popen(script.c_str(), "r");
  if (!p) return {};
  char buf[4096] = {};
  const bool ok = fgets(buf, sizeof buf, p) != nullptr;
  pclose(p);
  std::string dir = ok ? buf : "";
  while (!dir.empty() && (dir.back() == '\n' || dir.back() == '\r')) dir.pop_back();
  return dir;
}

std::string vessel_bin() {
  const char* b = getenv("VESSEL_BIN");
  return b ? b : "vessel";
}

}  // namespace vessel::test
