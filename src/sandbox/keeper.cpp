#include "sandbox/keeper.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace vessel::sandbox {
namespace {

// Dies of `sig` itself (no core dump), so the keeper's parent sees what the VMM died of.
[[noreturn]] void die_of_signal(int sig) {
  const rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  signal(sig, SIG_DFL);
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, sig);
  sigprocmask(SIG_UNBLOCK, &one, nullptr);
  raise(sig);
  _exit(128 + sig);
}

[[noreturn]] void die_like(int status) {
  if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
  die_of_signal(WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL);
}

}  // namespace

void run_keeper(pid_t vmm) {
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, nullptr);
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(vmm, &status, WNOHANG);
    if (r == vmm) die_like(status);
    if (r < 0) _exit(1);
    siginfo_t info;
    const int sig = sigwaitinfo(&all, &info);
    if (sig < 0 || sig == SIGCHLD || sig == SIGWINCH || sig == SIGURG) continue;
    if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP) {
      kill(vmm, sig);
      continue;
    }
    if (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU || sig == SIGCONT) continue;
    // Anything else (SIGSEGV, SIGQUIT, SIGABRT, SIGUSR1, ...) ends the VMM and the keeper,
    // reported as that signal.
    kill(vmm, SIGKILL);
    while (waitpid(vmm, &status, 0) < 0) {
    }
    die_of_signal(sig);
  }
}

}  // namespace vessel::sandbox
