#include "container/foreground_wait.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "container/error.h"

namespace vessel::container {

namespace {

sigset_t forwarded_set() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH}) sigaddset(&set, s);
  return set;
}

// Puts the runtime's terminal in raw mode for the relay and restores it afterwards.
class RawTerminal {
 public:
  RawTerminal() {
    if (!isatty(0) || tcgetattr(0, &saved_) != 0) return;
    termios raw = saved_;
    cfmakeraw(&raw);
    active_ = tcsetattr(0, TCSANOW, &raw) == 0;
  }
  ~RawTerminal() {
    if (active_) tcsetattr(0, TCSANOW, &saved_);
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

void copy_window_size(int master) {
  winsize ws{};
  if (isatty(0) && ioctl(0, TIOCGWINSZ, &ws) == 0) ioctl(master, TIOCSWINSZ, &ws);
}

// Moves what is readable on `from` to `to`; false on EOF or error.
bool relay(int from, int to) {
  char buf[4096];
  const ssize_t n = read(from, buf, sizeof buf);
  if (n <= 0) return n < 0 && errno == EINTR;
  for (ssize_t done = 0; done < n;) {
    const ssize_t w = write(to, buf + done, static_cast<size_t>(n - done));
    if (w < 0 && errno != EINTR) return false;
    if (w > 0) done += w;
  }
  return true;
}

}  // namespace

void block_forwarded_signals() {
  const sigset_t set = forwarded_set();
  sigprocmask(SIG_BLOCK, &set, nullptr);
}

int wait_forwarding_signals(pid_t pid, int master) {
  const sigset_t set = forwarded_set();
  const int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  std::optional<RawTerminal> raw;
  if (master >= 0) {
    raw.emplace();
    copy_window_size(master);
  }
  int stdin_fd = master >= 0 ? 0 : -1;
  int status = 0;
  if (sfd >= 0 && pidfd >= 0) {
    for (;;) {
      pollfd fds[4] = {{pidfd, POLLIN, 0}, {sfd, POLLIN, 0}, {master, POLLIN, 0}, {stdin_fd, POLLIN, 0}};
      if (poll(fds, 4, -1) < 0 && errno != EINTR) break;
      if (fds[2].revents && !relay(master, 1)) master = stdin_fd = -1;  // closes when the last user exits
      if (stdin_fd >= 0 && fds[3].revents && !relay(0, master)) stdin_fd = -1;
      if (fds[1].revents & POLLIN) {
        signalfd_siginfo info{};
        if (read(sfd, &info, sizeof info) == sizeof info) {
          if (info.ssi_signo == SIGWINCH && master >= 0) copy_window_size(master);
          else ::kill(pid, static_cast<int>(info.ssi_signo));
        }
      }
      if (fds[0].revents) {
        while (master >= 0 && relay(master, 1)) {  // what the process wrote just before exiting
          pollfd p{master, POLLIN, 0};
          if (poll(&p, 1, 0) <= 0) break;
        }
        break;
      }
    }
  }
  if (sfd >= 0) close(sfd);
  if (pidfd >= 0) close(pidfd);
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw_errno("wait for container process");
  }
  return status;
}

}  // namespace vessel::container
