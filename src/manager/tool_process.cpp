#include "manager/tool_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vessel::manager {

namespace {
void close_fd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}
}  // namespace

Result<ToolRun> run_tool(const std::string& binary, const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                         const ToolIo& io) {
  // Everything the child needs is prepared before fork (the daemon is multi-threaded).
  std::vector<std::string> argv_store = {binary};
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_store) argv.push_back(s.data());
  argv.push_back(nullptr);
  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  const int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0 || (io.stdout_fd < 0 && pipe2(out_pipe, O_CLOEXEC) != 0) ||
      (io.stderr_fd < 0 && pipe2(err_pipe, O_CLOEXEC) != 0))
    return Error{"cannot prepare " + binary + ": " + strerror(errno)};
  const int in = io.stdin_fd >= 0 ? io.stdin_fd : null_fd;
  const int out = io.stdout_fd >= 0 ? io.stdout_fd : out_pipe[1];
  const int err = io.stderr_fd >= 0 ? io.stderr_fd : err_pipe[1];
  const pid_t pid = fork();
  if (pid == 0) {
    setsid();
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    // dup2 clears close-on-exec on the copies: only 0, 1 and 2 reach the program.
    dup2(in, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(null_fd);
  close_fd(out_pipe[1]);
  close_fd(err_pipe[1]);
  if (pid < 0) {
    close_fd(out_pipe[0]);
    close_fd(err_pipe[0]);
    return Error{"cannot fork: " + std::string(strerror(errno))};
  }
  ToolRun run;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  char buf[16384];
  // Until the program has exited and both pipes are closed (a program may leave children
  // holding them: its exit is enough once the pipes are drained of what is there).
  for (bool exited = pidfd < 0; !exited || out_pipe[0] >= 0 || err_pipe[0] >= 0;) {
    pollfd fds[3] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}, {exited ? -1 : pidfd, POLLIN, 0}};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      run.timed_out = true;
      break;
    }
    const int ready = poll(fds, 3, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      int& fd = i == 0 ? out_pipe[0] : err_pipe[0];
      if (fd < 0 || !fds[i].revents) continue;
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        close_fd(fd);
        continue;
      }
      std::string& sink = i == 0 ? run.out : run.err;
      sink.append(buf, std::min(static_cast<size_t>(n), io.max_output - std::min(io.max_output, sink.size())));
    }
    if (fds[2].revents) exited = true;
    if (exited && !fds[0].revents && !fds[1].revents) break;  // gone, and nothing left to read now
  }
  close_fd(out_pipe[0]);
  close_fd(err_pipe[0]);
  close_fd(pidfd);
  if (run.timed_out) kill(-pid, SIGKILL);  // its own session: the program and what it started
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return Error{"waitpid: " + std::string(strerror(errno))};
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

}  // namespace vessel::manager
