#include "manager/vmm_jail.h"

#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/unix_socket.h"

namespace vessel::manager {

bool parse_uid_range(const std::string& text, uid_t& first, uid_t& last) {
  const size_t dash = text.find('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 >= text.size()) return false;
  char* end = nullptr;
  const unsigned long a = std::strtoul(text.c_str(), &end, 10);
  if (end != text.c_str() + dash) return false;
  const unsigned long b = std::strtoul(text.c_str() + dash + 1, &end, 10);
  if (*end != 0 || a == 0 || b < a || b >= 0xffffffffUL) return false;
  first = static_cast<uid_t>(a);
  last = static_cast<uid_t>(b);
  return true;
}

std::optional<uid_t> pick_jail_uid(const SandboxSettings& s, const std::set<uid_t>& in_use) {
  for (uid_t u = s.uid_first; u <= s.uid_last && u >= s.uid_first; ++u)
    if (!in_use.count(u) && getpwuid(u) == nullptr) return u;
  return std::nullopt;
}

std::vector<std::string> jail_args(const SandboxSettings& s, uid_t uid, const std::string& name) {
  std::vector<std::string> a = {"--sandbox", "--sandbox-uid", std::to_string(uid), "--sandbox-gid", std::to_string(uid),
                                "--sandbox-root", s.jail_root};
  if (!s.cgroup_parent.empty()) a.insert(a.end(), {"--sandbox-cgroup", s.cgroup_parent + "/" + name});
  return a;
}

std::optional<std::string> seccomp_exit_from_log(const std::string& log_tail) {
  // The line sandbox/sigsys_report.cpp writes: "vessel-vmm: seccomp: the KIND thread called NAME (syscall N)..."
  const std::string marker = "vessel-vmm: seccomp: the ";
  const size_t at = log_tail.rfind(marker);
  if (at == std::string::npos) return std::nullopt;
  const size_t called = log_tail.find(" thread called ", at);
  if (called == std::string::npos) return std::nullopt;
  const size_t name = called + sizeof " thread called " - 1;
  const size_t end = log_tail.find(' ', name);
  if (end == std::string::npos) return std::nullopt;
  return "seccomp " + log_tail.substr(name, end - name);
}

pid_t jailed_vmm_pid(pid_t keeper) {
  const std::string path = "/proc/" + std::to_string(keeper) + "/task/" + std::to_string(keeper) + "/children";
  std::ifstream in(path);
  pid_t child = 0;
  if (in >> child && child > 0) return child;
  return keeper;
}

Result<bool> move_snapshot(const std::string& from, const std::string& to) {
  std::error_code ec;
  std::filesystem::rename(from, to, ec);
  if (ec) {
    std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing, ec);
    std::filesystem::remove(from);
    if (ec) return Error{"cannot move the snapshot to " + to + ": " + ec.message()};
  }
  if (chown(to.c_str(), 0, 0) != 0) return Error{"cannot chown " + to + ": " + strerror(errno)};
  return true;
}

Result<std::unique_ptr<MigrationRelay>> MigrationRelay::start(const std::string& listen_path, gid_t gid,
                                                               const std::string& target_path) {
  std::unique_ptr<MigrationRelay> r(new MigrationRelay());
  r->listen_path_ = listen_path;
  r->target_path_ = target_path;
  auto fd = listen_unix(listen_path, 1);
  if (!fd) return Error{fd.error()};
  r->listener_ = fd.value();
  if (chown(listen_path.c_str(), 0, gid) != 0 || chmod(listen_path.c_str(), 0660) != 0)
    return Error{"cannot hand " + listen_path + " to the jail: " + strerror(errno)};
  r->stop_fd_ = eventfd(0, EFD_CLOEXEC);
  r->thread_ = std::thread([p = r.get()] { p->run(); });
  return r;
}

MigrationRelay::~MigrationRelay() {
  const uint64_t one = 1;
  if (stop_fd_ >= 0) (void)!write(stop_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  if (listener_ >= 0) close(listener_);
  if (stop_fd_ >= 0) close(stop_fd_);
  unlink(listen_path_.c_str());
}

void MigrationRelay::run() {
  pollfd wait[2] = {{listener_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  if (poll(wait, 2, -1) <= 0 || wait[1].revents) return;
  const int in = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
  if (in < 0) return;
  const int o = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un target{};
  if (o < 0 || !unix_address(target_path_, target) ||
      connect(o, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) {
    if (o >= 0) close(o);
    close(in);
    return;
  }
  std::vector<char> buf(1 << 18);
  // Both directions until either closes (the stream is the source's; answers come back).
  bool open_in = true, open_out = true;
  while (open_in && open_out) {
    pollfd fds[3] = {{in, POLLIN, 0}, {o, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].revents) break;
    for (int side = 0; side < 2; ++side) {
      if (!(fds[side].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const int from = side == 0 ? in : o, to = side == 0 ? o : in;
      const ssize_t n = read(from, buf.data(), buf.size());
      if (n <= 0) {
        shutdown(to, SHUT_WR);
        (side == 0 ? open_in : open_out) = false;
        continue;
      }
      for (ssize_t done = 0; done < n;) {
        const ssize_t w = write(to, buf.data() + done, static_cast<size_t>(n - done));
        if (w <= 0) {
          open_in = open_out = false;
          break;
        }
        done += w;
      }
    }
  }
  close(in);
  close(o);
}

}  // namespace vessel::manager
