// `vessel vm console NAME`: attaches the terminal to a VM's serial console through vesseld
// (HTTP Upgrade: vessel-console). The daemon sends the recent output first. Ctrl-] detaches;
// the VM keeps running.
#include <poll.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "http/http_client.h"
#include "commands.h"
#include "vm_command.h"

namespace vessel::cli {
namespace {

constexpr unsigned char kEscape = 0x1d;  // Ctrl-]

// Raw mode for the life of the attach; restored on every exit path.
class RawTerminal {
 public:
  RawTerminal() {
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios raw = saved_;
    cfmakeraw(&raw);
    active_ = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
  }
  ~RawTerminal() {
    if (active_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }
  bool active() const { return active_; }

 private:
  termios saved_{};
  bool active_ = false;
};

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

int attach_console(const Common& common, const std::string& path, const char* program) {
  auto socket = daemon_target(common);
  if (!socket) {
    fprintf(stderr, "%s: %s\n", program, socket.error().c_str());
    return 1;
  }
  // /v1/KIND/NAME/console
  const std::string name = path.substr(0, path.rfind('/')).substr(path.substr(0, path.rfind('/')).rfind('/') + 1);
  auto c = http::http_open_stream(socket.value(), "GET", path,
                                 "Connection: Upgrade\r\nUpgrade: vessel-console\r\n");
  if (!c) {
    fprintf(stderr, "%s: %s\n", program, c.error().c_str());
    return kExitFailure;
  }
  if (c->status != 101) {
    // An error: the rest of the body is the JSON error document.
    std::string body = c->initial;
    char buf[4096];
    ssize_t n;
    while ((n = recv(c->fd, buf, sizeof buf, 0)) > 0) body.append(buf, static_cast<size_t>(n));
    close(c->fd);
    auto j = nlohmann::json::parse(body, nullptr, false);
    const std::string msg = j.is_object() && j.contains("error") ? j["error"].value("message", body) : body;
    fprintf(stderr, "%s: %s\n", program, msg.c_str());
    return kExitFailure;
  }
  const int fd = c->fd;
  RawTerminal term;
  if (term.active()) fprintf(stderr, "Connected to %s (detach: Ctrl-])\r\n", name.c_str());
  if (!c->initial.empty()) write_all(STDOUT_FILENO, c->initial.data(), c->initial.size());
  char buf[16384];
  bool stdin_open = true;
  int status = kExitOk;
  for (;;) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {STDIN_FILENO, static_cast<short>(stdin_open ? POLLIN : 0), 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents) {
      const ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) {
        if (term.active()) fprintf(stderr, "\r\n[the VM's console closed]\r\n");
        break;
      }
      if (!write_all(STDOUT_FILENO, buf, static_cast<size_t>(n))) break;
    }
    if (fds[1].revents) {
      const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        stdin_open = false;  // input ended (a pipe): keep showing output until the VM closes
        shutdown(fd, SHUT_WR);
        continue;
      }
      size_t len = static_cast<size_t>(n);
      bool detach = false;
      if (term.active())
        for (size_t i = 0; i < len; ++i)
          if (static_cast<unsigned char>(buf[i]) == kEscape) {
            len = i;
            detach = true;
            break;
          }
      if (len > 0 && send(fd, buf, len, MSG_NOSIGNAL) < 0) break;
      if (detach) {
        fprintf(stderr, "\r\n[detached from %s]\r\n", name.c_str());
        break;
      }
    }
  }
  close(fd);
  return status;
}

}  // namespace vessel::cli
