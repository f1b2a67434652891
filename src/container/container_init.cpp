#include "container/container_init.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>

#include "container/console.h"
#include "container/error.h"
#include "container/hooks.h"
#include "container/namespaces.h"
#include "container/process_setup.h"
#include "container/seccomp_notify.h"

namespace vessel::container {

namespace {

void expect_proceed(const SyncChannel& channel) {
  auto m = channel.receive();
  if (!m || m->kind != SyncKind::Proceed) throw Error(ErrorKind::System, "runtime went away during setup");
}

bool has_hooks(const HooksSpec& h) {
  return !h.prestart.empty() || !h.create_runtime.empty() || !h.create_container.empty() || !h.start_container.empty();
}

// The container's init: everything from the root filesystem to exec.
[[noreturn]] void run_init_process(const InitRequest& r) {
  const Spec& spec = *r.spec;
  const ProcessSpec& process = *spec.process;
  bool created = false;
  int fifo = -1;  // after `start` opened it: where a failure before the exec is reported
  try {
    sanitize_inherited_state(r.preserve_fds);
    if (setsid() < 0) throw_errno("setsid");
    // Until execve (which restores it) /proc/1/fd must not let another process of the container
    // reach the host directory fd held for the exec FIFO.
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) throw_errno("prctl(PR_SET_DUMPABLE)");
    prepare_rootfs(r.rootfs);
    if (r.cgroup_join_in_parallel) {
      expect_proceed(*r.channel);  // now in the container's cgroup: its namespace may root there
      if (new_namespace_flags(spec.linux_spec.namespaces) & CLONE_NEWCGROUP) {
        if (unshare(CLONE_NEWCGROUP) != 0) throw_errno("create cgroup namespace");
      }
    }
    std::string state_json = "{}";
    if (has_hooks(spec.hooks)) {
      // The runtime runs prestart/createRuntime hooks, then sends the state the hooks get.
      r.channel->send(SyncKind::RuntimeHooks);
      auto m = r.channel->receive();
      if (!m || m->kind != SyncKind::Proceed) throw Error(ErrorKind::System, "runtime went away during setup");
      state_json = m->text;
    }
    run_hooks(spec.hooks.create_container, state_json, "createContainer");
    int console = -1;
    if (process.terminal) console = connect_console_socket(r.console_socket);
    enter_root(r.rootfs);
    if (console >= 0) {
      setup_console(console, true, process.console_size);
      close(console);
    }
    apply_sysctls(spec);
    if (!spec.hostname.empty() && sethostname(spec.hostname.data(), spec.hostname.size()) != 0) throw_errno("sethostname");
    if (!spec.domainname.empty() && setdomainname(spec.domainname.data(), spec.domainname.size()) != 0)
      throw_errno("setdomainname");
    finish_rootfs(spec);
    // A missing program fails `create` (as with runc), not the later exec after `start`.
    const std::string program = find_program(process.args[0], process.env);
    if (access(program.c_str(), F_OK) != 0)
      throw Error(ErrorKind::System, "exec: \"" + process.args[0] + "\": executable file not found in $PATH");
    // A listener must reach its agent through the runtime, which listens only until "created".
    const bool notify = r.seccomp && r.seccomp->notify;
    if (notify) install_notify_filter(*r.seccomp, process.no_new_privileges, *r.channel);
    r.channel->send(SyncKind::Created);
    created = true;
    if (r.wait_on_fifo) {
      // Blocks until `start` opens the fifo for reading; the directory fd keeps working
      // after pivot_root, so the container needs no /proc for this.
      fifo = openat(r.state_dir_fd, "exec.fifo", O_WRONLY | O_CLOEXEC);
      if (fifo < 0) throw_errno("open exec fifo");
      close(r.state_dir_fd);
      if (write(fifo, "0", 1) != 1) throw_errno("write exec fifo");
      // Left open: close-on-exec, so `start` sees EOF exactly when the program is exec'd.
    } else {
      expect_proceed(*r.channel);
    }
    run_hooks(spec.hooks.start_container, state_json, "startContainer");
    finalize_and_exec(process, notify ? nullptr : r.seccomp);
  } catch (const std::exception& e) {
    // Before "created" the runtime is listening. After it, `start` reads the FIFO until EOF and
    // reports what follows the first byte; `run` still listens on the channel.
    if (fifo >= 0) {
      const std::string text = e.what();
      (void)!write(fifo, text.data(), text.size());
    } else if (!r.channel->send(SyncKind::Failed, 0, e.what()) || created) {
      fprintf(stderr, "vessel: %s\n", e.what());
    }
  }
  _exit(127);
}

}  // namespace

void sanitize_inherited_state(int preserve_fds) {
  syscall(SYS_close_range, 3 + preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

bool needs_setup_process(const Spec& spec) {
  const NamespaceSpec* user = spec.linux_spec.find_namespace(NamespaceType::User);
  return user && user->path.empty();
}

void run_direct_init(const InitRequest& r) {
  try {
    expect_proceed(*r.channel);
    join_namespace_paths(r.spec->linux_spec.namespaces, /*skip_pid_and_time=*/true);
    // The cgroup namespace comes once the runtime has moved us into the container's cgroup.
    if (unshare(new_namespace_flags_for_init(r.spec->linux_spec.namespaces) & ~CLONE_NEWCGROUP) != 0)
      throw_errno("create namespaces");
  } catch (const std::exception& e) {
    r.channel->send(SyncKind::Failed, 0, e.what());
    _exit(1);
  }
  run_init_process(r);
}

void run_setup_process(const InitRequest& r) {
  const LinuxSpec& lx = r.spec->linux_spec;
  try {
    expect_proceed(*r.channel);  // the runtime has put us into the container's cgroup
    join_namespace_paths(lx.namespaces);
    const NamespaceSpec* user = lx.find_namespace(NamespaceType::User);
    if (user && user->path.empty()) {
      if (unshare(CLONE_NEWUSER) != 0) throw_errno("create user namespace");
      r.channel->send(SyncKind::NeedIdMaps);
      expect_proceed(*r.channel);
      if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) throw_errno("become root in the user namespace");
    }
    if (unshare(new_namespace_flags(lx.namespaces)) != 0) throw_errno("create namespaces");
    // The init must not talk to the runtime before the runtime knows its pid.
    int pid_sent[2];
    if (pipe2(pid_sent, O_CLOEXEC) != 0) throw_errno("pipe");
    const pid_t init = fork();
    if (init < 0) throw_errno("fork container init");
    if (init == 0) {
      char byte;
      close(pid_sent[1]);
      if (read(pid_sent[0], &byte, 1) != 1) _exit(1);
      close(pid_sent[0]);
      run_init_process(r);
    }
    r.channel->send(SyncKind::InitPid, init);
    (void)!write(pid_sent[1], "p", 1);
    _exit(0);
  } catch (const std::exception& e) {
    r.channel->send(SyncKind::Failed, 0, e.what());
  }
  _exit(1);
}

}  // namespace vessel::container
