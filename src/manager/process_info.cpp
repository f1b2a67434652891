#include "manager/process_info.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace vessel::manager {
namespace {

// Fields of /proc/PID/stat after the command name (which may hold spaces and parentheses).
std::optional<std::vector<std::string>> stat_fields(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  const size_t close_paren = line.rfind(')');
  if (close_paren == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close_paren + 2));
  std::vector<std::string> f;
  for (std::string s; rest >> s;) f.push_back(s);
  if (f.size() < 20) return std::nullopt;
  return f;  // f[0] = state (field 3), f[11] = utime (14), f[12] = stime, f[19] = starttime (22)
}

}  // namespace

std::optional<uint64_t> process_start_time(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  auto f = stat_fields(pid);
  if (!f || (*f)[0] == "Z" || (*f)[0] == "X") return std::nullopt;
  return std::strtoull((*f)[19].c_str(), nullptr, 10);
}

bool process_alive(const ProcessId& id) {
  const auto st = process_start_time(id.pid);
  return st && *st == id.start_time;
}

std::optional<uint64_t> process_ksm_merging_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/ksm_merging_pages");
  uint64_t pages = 0;
  if (!(in >> pages)) return std::nullopt;
  return pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

uint64_t process_rss_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/statm");
  uint64_t size = 0, resident = 0;
  if (!(in >> size >> resident)) return 0;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

double process_cpu_seconds(pid_t pid) {
  auto f = stat_fields(pid);
  if (!f) return 0;
  const uint64_t ticks = std::strtoull((*f)[11].c_str(), nullptr, 10) + std::strtoull((*f)[12].c_str(), nullptr, 10);
  return static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double process_uptime_seconds(const ProcessId& id) {
  std::ifstream in("/proc/uptime");
  double boot_uptime = 0;
  if (!(in >> boot_uptime)) return 0;
  const double started = static_cast<double>(id.start_time) / static_cast<double>(sysconf(_SC_CLK_TCK));
  return boot_uptime > started ? boot_uptime - started : 0;
}

Result<ProcessId> spawn_detached(const std::string& binary, const std::vector<std::string>& args,
                                 const std::string& log_path) {
  // Everything the child needs is prepared before fork (the daemon is multi-threaded).
  std::vector<std::string> argv_store = {binary};
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_store) argv.push_back(s.data());
  argv.push_back(nullptr);
  const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (log_fd < 0) return Error{"cannot open " + log_path + ": " + strerror(errno)};
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int report[2];
  if (null_fd < 0 || pipe2(report, O_CLOEXEC) != 0) {
    close(log_fd);
    if (null_fd >= 0) close(null_fd);
    return Error{"cannot prepare the VMM process: " + std::string(strerror(errno))};
  }
  const pid_t pid = fork();
  if (pid == 0) {
    setsid();
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(null_fd, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    for (int fd = 3; fd < 1024; ++fd)
      if (fd != report[1]) close(fd);
    execv(argv[0], argv.data());
    const int e = errno;
    (void)!write(report[1], &e, sizeof e);
    _exit(127);
  }
  const int fork_errno = errno;
  close(log_fd);
  close(null_fd);
  close(report[1]);
  if (pid < 0) {
    close(report[0]);
    return Error{"cannot fork: " + std::string(strerror(fork_errno))};
  }
  int exec_errno = 0;
  ssize_t n;
  do n = read(report[0], &exec_errno, sizeof exec_errno);
  while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n == sizeof exec_errno) {
    waitpid(pid, nullptr, 0);
    return Error{"cannot run " + binary + ": " + strerror(exec_errno)};
  }
  ProcessId id{pid, 0};
  const auto st = process_start_time(pid);
  if (!st) return Error{"the VMM exited immediately (see its log)"};  // reaped by the caller's watcher
  id.start_time = *st;
  return id;
}

}  // namespace vessel::manager
