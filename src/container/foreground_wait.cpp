#include "container/foreground_wait.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "container/error.h"

namespace vessel::container {

namespace {
sigset_t forwarded_set() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH}) sigaddset(&set, s);
  return set;
}
}  // namespace

void block_forwarded_signals() {
  const sigset_t set = forwarded_set();
  sigprocmask(SIG_BLOCK, &set, nullptr);
}

int wait_forwarding_signals(pid_t pid) {
  const sigset_t set = forwarded_set();
  const int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  int status = 0;
  if (sfd >= 0 && pidfd >= 0) {
    for (;;) {
      pollfd fds[2] = {{pidfd, POLLIN, 0}, {sfd, POLLIN, 0}};
      if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
      if (fds[0].revents) break;
      if (fds[1].revents & POLLIN) {
        signalfd_siginfo info{};
        if (read(sfd, &info, sizeof info) == sizeof info) ::kill(pid, static_cast<int>(info.ssi_signo));
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
