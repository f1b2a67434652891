// `exec`: a new process inside a running container's namespaces and cgroup.
#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "container/console.h"
#include "container/container_init.h"
#include "container/error.h"
#include "container/foreground_wait.h"
#include "container/lifecycle.h"
#include "container/namespaces.h"
#include "container/process_setup.h"
#include "container/seccomp_notify.h"
#include "container/sync_channel.h"

namespace vessel::container {

namespace {

struct NamespaceFd {
  NamespaceType type;
  int fd;
};

// The container init's namespaces that differ from ours, user first and mount last.
std::vector<NamespaceFd> open_container_namespaces(pid_t init, const Spec& spec) {
  static const NamespaceType kOrder[] = {NamespaceType::User, NamespaceType::Ipc,    NamespaceType::Uts,
                                         NamespaceType::Network, NamespaceType::Pid, NamespaceType::Cgroup,
                                         NamespaceType::Time, NamespaceType::Mount};
  std::vector<NamespaceFd> out;
  for (NamespaceType type : kOrder) {
    if (!spec.linux_spec.find_namespace(type)) continue;
    const std::string theirs = "/proc/" + std::to_string(init) + "/ns/" + proc_ns_name(type);
    const std::string mine = std::string("/proc/self/ns/") + proc_ns_name(type);
    struct stat a {}, b {};
    if (stat(theirs.c_str(), &a) != 0) throw_errno("open namespace " + theirs);
    if (stat(mine.c_str(), &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) continue;
    const std::string path = type == NamespaceType::Time ? theirs + "_for_children" : theirs;
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_errno("open namespace " + path);
    out.push_back({type, fd});
  }
  return out;
}

// chroot_dir: the container's root when it shares our mount namespace (it was entered by chroot).
[[noreturn]] void run_exec_setup(const ExecOptions& o, const std::string& console_socket, const SeccompProgram* seccomp,
                                 const std::string& chroot_dir, const std::vector<NamespaceFd>& namespaces,
                                 const SyncChannel& channel) {
  try {
    auto m = channel.receive();  // we are in the container's cgroup now
    if (!m || m->kind != SyncKind::Proceed) _exit(1);
    // Not inspectable from inside the container while it holds host resources (see init).
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    // The console socket lives on the host: connect before entering the mount namespace.
    const int console = o.process.terminal ? connect_console_socket(console_socket) : -1;
    for (const auto& ns : namespaces)
      if (setns(ns.fd, clone_flag(ns.type)) != 0) throw_errno(std::string("join ") + namespace_type_name(ns.type) + " namespace");
    if (!chroot_dir.empty() && (chroot(chroot_dir.c_str()) != 0 || chdir("/") != 0)) throw_errno("chroot " + chroot_dir);
    const pid_t child = fork();  // a joined pid namespace applies to children only
    if (child < 0) throw_errno("fork");
    if (child == 0) {
      try {
        sanitize_inherited_state(o.preserve_fds);
        if (setsid() < 0) throw_errno("setsid");
        if (console >= 0) {
          setup_console(console, false, o.process.console_size);
          close(console);
        }
        const bool notify = seccomp && seccomp->notify;
        if (notify) install_notify_filter(*seccomp, o.process.no_new_privileges, channel);
        finalize_and_exec(o.process, notify ? nullptr : seccomp);
      } catch (const std::exception& e) {
        channel.send(SyncKind::Failed, 0, e.what());
      }
      _exit(127);
    }
    channel.send(SyncKind::InitPid, child);
    _exit(0);
  } catch (const std::exception& e) {
    channel.send(SyncKind::Failed, 0, e.what());
  }
  _exit(1);
}

}  // namespace

int Runtime::exec(const ExecOptions& o) {
  const ContainerRecord record = store_.load(o.id);
  const std::string status = status_of(record);
  if (status != "running" && status != "created")
    throw Error(ErrorKind::Conflict, "cannot exec in container " + o.id + " that is " + status);
  // A foreground exec with a terminal and no console socket relays the pty itself.
  const bool relay = o.process.terminal && o.console_socket.empty();
  if (relay && o.detach) throw_bad_input("exec --detach with a terminal needs --console-socket");
  const Spec spec = saved_spec(o.id);
  std::optional<SeccompProgram> seccomp;
  if (spec.linux_spec.seccomp) seccomp = compile_seccomp_filter(*spec.linux_spec.seccomp);
  const std::vector<NamespaceFd> namespaces = open_container_namespaces(record.pid, spec);
  const Cgroup cgroup = cgroup_of(record);

  if (!o.detach) block_forwarded_signals();
  std::string console_socket = o.console_socket;
  int console_listener = -1;
  if (relay) {
    console_socket = store_.dir(o.id) + "/exec-" + std::to_string(getpid()) + ".sock";
    console_listener = listen_console_socket(console_socket);
  }
  auto [ours, theirs] = SyncChannel::make_pair();
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  const pid_t setup = fork();
  if (setup < 0) throw_errno("fork");
  if (setup == 0) {
    ours.close_fd();
    const std::string chroot_dir = spec.linux_spec.find_namespace(NamespaceType::Mount) ? "" : record.rootfs;
    run_exec_setup(o, console_socket, seccomp ? &*seccomp : nullptr, chroot_dir, namespaces, theirs);
  }
  theirs.close_fd();
  for (const auto& ns : namespaces) close(ns.fd);

  pid_t child = 0;
  try {
    Cgroup(cgroup).add_process(setup);
    ours.send(SyncKind::Proceed);
    auto m = ours.receive();
    if (!m) throw Error(ErrorKind::System, "exec setup exited unexpectedly");
    if (m->kind == SyncKind::Failed) throw Error(ErrorKind::System, m->text);
    child = static_cast<pid_t>(m->value);
    waitpid(setup, nullptr, 0);
    for (;;) {
      auto next = ours.receive();  // EOF once the program is exec'd
      if (next && next->kind == SyncKind::SeccompListener) {
        deliver_seccomp_listener(ours, *spec.linux_spec.seccomp, child, state_document(record, status));
        ours.send(SyncKind::Proceed);
        continue;
      }
      if (next && next->kind == SyncKind::Failed) {
        waitpid(child, nullptr, 0);
        throw Error(ErrorKind::System, next->text);
      }
      break;
    }
  } catch (...) {
    ::kill(setup, SIGKILL);
    waitpid(setup, nullptr, 0);
    if (console_listener >= 0) {
      close(console_listener);
      unlink(console_socket.c_str());
    }
    throw;
  }
  int master = -1;
  if (console_listener >= 0) {
    const int conn = accept4(console_listener, nullptr, nullptr, SOCK_CLOEXEC);
    master = conn >= 0 ? receive_fd(conn) : -1;
    if (conn >= 0) close(conn);
    close(console_listener);
    unlink(console_socket.c_str());
  }
  if (!o.pid_file.empty()) write_file_atomically(o.pid_file, std::to_string(child));
  if (o.detach) return 0;
  const int wait_status = wait_forwarding_signals(child, master);
  if (master >= 0) close(master);
  return exit_status_from_wait(wait_status);
}

}  // namespace vessel::container
