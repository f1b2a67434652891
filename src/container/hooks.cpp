#include "container/hooks.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "container/error.h"

namespace vessel::container {

namespace {

void run_one(const HookSpec& hook, const std::string& state_json, const char* phase) {
  int in[2];
  if (pipe2(in, O_CLOEXEC) != 0) throw_errno("hook pipe");
  const pid_t pid = fork();
  if (pid < 0) throw_errno("fork hook");
  if (pid == 0) {
    dup2(in[0], 0);
    std::vector<char*> argv, envp;
    std::vector<std::string> args = hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env = hook.env;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    execve(hook.path.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  close(in[0]);
  // A hook that does not read its stdin must not kill us with SIGPIPE; the old disposition is
  // restored so a container process never inherits an ignored SIGPIPE.
  struct sigaction ignore {}, previous {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &previous);
  (void)!write(in[1], state_json.data(), state_json.size());
  close(in[1]);
  sigaction(SIGPIPE, &previous, nullptr);

  int status = 0;
  if (hook.timeout_seconds) {
    const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    pollfd p{pidfd, POLLIN, 0};
    const int ready = pidfd >= 0 ? poll(&p, 1, *hook.timeout_seconds * 1000) : 1;
    if (pidfd >= 0) close(pidfd);
    if (ready == 0) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      throw Error(ErrorKind::System, std::string(phase) + " hook " + hook.path + " timed out");
    }
  }
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error(ErrorKind::System, std::string(phase) + " hook " + hook.path + " failed with status " +
                                       std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)));
}

}  // namespace

void run_hooks(const std::vector<HookSpec>& hooks, const std::string& state_json, const char* phase) {
  for (const auto& hook : hooks) run_one(hook, state_json, phase);
}

}  // namespace vessel::container
