#include "container/lifecycle.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "common/scoped_fd.h"
#include "container/console.h"
#include "container/container_init.h"
#include "container/error.h"
#include "container/foreground_wait.h"
#include "container/hooks.h"
#include "container/namespaces.h"
#include "container/process_info.h"
#include "container/rootfs.h"
#include "container/seccomp_notify.h"
#include "container/process_setup.h"
#include "container/sync_channel.h"

namespace vessel::container {

struct Runtime::Created {
  ContainerRecord record;
  Spec spec;
  SyncChannel channel;  // to the container's init, which waits for Proceed in `run` mode
  int console_listener = -1;  // relay_terminal: where the init sends the pty master
};

namespace {

std::string absolute_path(const std::string& path) {
  char buf[PATH_MAX];
  if (!realpath(path.c_str(), buf)) throw_bad_input("bundle " + path + " does not exist");
  return buf;
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void make_dir(const std::string& path) {
  if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) throw_errno("mkdir " + path);
}

// Undoes a half-made container when creation fails: kills its processes, removes its cgroup
// and state directory. Disarmed once the container is complete.
class CreationRollback {
 public:
  CreationRollback(const StateStore& store, std::string id) : store_(store), id_(std::move(id)) {}
  ~CreationRollback() {
    if (!armed_) return;
    if (init_pid_ > 0) {
      ::kill(init_pid_, SIGKILL);
      waitpid(init_pid_, nullptr, 0);  // ours as subreaper once its parent exited
    }
    if (!shared_mounts_.empty()) detach_mounts_under(shared_mounts_);
    try {
      if (cgroup_) cgroup_->destroy();
    } catch (const std::exception&) {
      // Best effort: the error that started the rollback is the one to report.
    }
    store_.remove(id_);
  }
  void set_cgroup(Cgroup* cgroup) { cgroup_ = cgroup; }
  void set_init(pid_t pid) { init_pid_ = pid; }
  void set_shared_mounts(std::string rootfs) { shared_mounts_ = std::move(rootfs); }
  void disarm() { armed_ = false; }

 private:
  const StateStore& store_;
  std::string id_;
  Cgroup* cgroup_ = nullptr;
  pid_t init_pid_ = 0;
  std::string shared_mounts_;  // a root whose mounts were made in our namespace
  bool armed_ = true;
};

// The init opens the FIFO as the container's root, which a user namespace maps to another host
// uid: the FIFO belongs to that uid, and its mode is not cut by our umask.
void make_exec_fifo(const std::string& path, const LinuxSpec& lx) {
  if (mkfifo(path.c_str(), 0622) != 0) throw_errno("mkfifo exec.fifo");
  if (chmod(path.c_str(), 0622) != 0) throw_errno("chmod exec.fifo");
  auto host_root = [](const std::vector<IdMapping>& maps, uint32_t fallback) {
    for (const auto& m : maps)
      if (m.container_id == 0 && m.size > 0) return m.host_id;
    return fallback;
  };
  if (lx.find_namespace(NamespaceType::User) &&
      chown(path.c_str(), host_root(lx.uid_mappings, getuid()), host_root(lx.gid_mappings, getgid())) != 0)
    throw_errno("chown exec.fifo");
}

void warn(const std::string& message) { fprintf(stderr, "vessel: warning: %s\n", message.c_str()); }

// Waits (up to timeout_ms) for a process that is not our child to disappear.
void wait_gone(pid_t pid, int timeout_ms) {
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return;
  pollfd p{pidfd, POLLIN, 0};
  poll(&p, 1, timeout_ms);
  close(pidfd);
}

}  // namespace

nlohmann::json state_document(const ContainerRecord& r, const std::string& status) {
  const bool alive = status == "created" || status == "running" || status == "paused";
  return {
      {"ociVersion", "1.0.2"}, {"id", r.id}, {"status", status}, {"pid", alive ? r.pid : 0},
      {"bundle", r.bundle},    {"rootfs", r.rootfs}, {"created", r.created}, {"owner", ""},
      {"annotations", r.annotations},
  };
}

Runtime::Runtime(RuntimeOptions options) : options_(std::move(options)), store_(options_.root) {}

Cgroup Runtime::cgroup_of(const ContainerRecord& record) const {
  return Cgroup(discover_cgroup_layout(), record.cgroup_path);
}

Spec Runtime::saved_spec(const std::string& id) const {
  auto doc = nlohmann::json::parse(store_.load_config(id), nullptr, false);
  if (doc.is_discarded()) throw Error(ErrorKind::System, "saved config of " + id + " is corrupt");
  return parse_spec(doc, store_.load(id).bundle);
}

std::string Runtime::status_of(const ContainerRecord& r, bool lock_held) const {
  // pid 0: a create still running (it holds the lock) or one that was killed midway.
  if (r.pid <= 0 || r.pid_start_time == 0) return !lock_held && store_.is_locked(r.id) ? "creating" : "stopped";
  if (process_start_time(r.pid) != r.pid_start_time) return "stopped";
  if (access(store_.fifo_path(r.id).c_str(), F_OK) == 0) return "created";
  if (!r.cgroup_path.empty()) {
    const CgroupLayout layout = discover_cgroup_layout();
    const CgroupHierarchy* f = layout.mode == CgroupMode::Unified ? layout.unified() : layout.find("freezer");
    const char* file = layout.mode == CgroupMode::Unified ? "/cgroup.freeze" : "/freezer.state";
    if (f) {
      const std::string v = read_whole_file(f->mount_point + r.cgroup_path + file).value_or("");
      if (v.rfind("FROZEN", 0) == 0 || v.rfind("1", 0) == 0) return "paused";
    }
  }
  return "running";
}

Runtime::Created Runtime::create_container(const CreateOptions& o, bool wait_on_fifo) {
  StateStore::validate_id(o.id);
  nlohmann::json raw;
  Spec spec;
  std::string bundle;
  if (o.config) {
    raw = *o.config;
    bundle = o.bundle.empty() ? "/" : o.bundle;
    spec = parse_spec(raw, bundle);
  } else {
    bundle = absolute_path(o.bundle.empty() ? "." : o.bundle);
    spec = load_spec(bundle, &raw);
  }
  if (!spec.process) throw_bad_input("config: process is required to create a container");
  if (spec.process->capabilities)
    for (const auto& name : spec.process->capabilities->unknown) warn("ignoring unknown capability " + name);
  // A confinement asked for and not available is an error, never silently dropped.
  if (!spec.process->apparmor_profile.empty() &&
      read_whole_file("/sys/module/apparmor/parameters/enabled").value_or("N").rfind("Y", 0) != 0)
    throw_bad_input("process.apparmorProfile is set but AppArmor is not enabled on this host");
  const bool relay = spec.process->terminal && o.console_socket.empty() && o.relay_terminal;
  if (spec.process->terminal && o.console_socket.empty() && !relay)
    throw_bad_input("process.terminal is true: --console-socket is required");
  if (!is_directory(spec.root_path)) throw_bad_input("root filesystem " + spec.root_path + " is not a directory");
  // A profile libseccomp cannot take fails here, before anything exists.
  std::optional<SeccompProgram> seccomp;
  if (spec.linux_spec.seccomp) seccomp = compile_seccomp_filter(*spec.linux_spec.seccomp);

  Cgroup cgroup(discover_cgroup_layout(), cgroup_path_for(spec.linux_spec.cgroups_path, o.id, options_.systemd_cgroup, store_.root()));
  ContainerLock lock = store_.create(o.id);
  CreationRollback rollback(store_, o.id);  // declared after what it undoes, so destroyed first
  const std::string dir = store_.dir(o.id);
  store_.save_config(o.id, raw.dump());
  rollback.set_cgroup(&cgroup);
  cgroup.create();

  ContainerRecord record;
  record.id = o.id;
  record.bundle = bundle;
  record.rootfs = spec.root_path;
  record.created = rfc3339_now();
  record.annotations = spec.annotations;
  record.cgroup_path = cgroup.path();
  record.overlay_rootfs = o.overlay_rootfs;
  record.owner_uid = getuid();
  // Saved now with pid 0 ("creating" while we hold the lock): should this process be killed
  // midway, `delete` still finds the cgroup to remove.
  store_.save(record);
  cgroup.apply(spec.linux_spec.resources);

  const NamespaceSpec* user_ns = spec.linux_spec.find_namespace(NamespaceType::User);
  InitRequest request;
  request.spec = &spec;
  request.rootfs.spec = &spec;
  request.rootfs.bundle = bundle;
  request.rootfs.rootfs = spec.root_path;
  request.rootfs.cgroups = &cgroup.layout();
  request.rootfs.cgroup_path = cgroup.path();
  request.rootfs.in_user_namespace = user_ns != nullptr;
  request.rootfs.own_mount_namespace = spec.linux_spec.find_namespace(NamespaceType::Mount) != nullptr;
  if (!request.rootfs.own_mount_namespace) rollback.set_shared_mounts(spec.root_path);
  if (o.overlay_rootfs) {
    request.rootfs.overlay = true;
    request.rootfs.overlay_base = spec.root_path;
    const std::string layers = o.overlay_layers_dir.empty() ? dir : o.overlay_layers_dir;
    if (!o.overlay_layers_dir.empty()) make_dir(layers);
    request.rootfs.overlay_upper = layers + "/upper";
    request.rootfs.overlay_work = layers + "/work";
    request.rootfs.rootfs = dir + "/merged";
    for (const auto& d : {request.rootfs.overlay_upper, request.rootfs.overlay_work, request.rootfs.rootfs}) make_dir(d);
  }
  const ScopedFd state_dir(open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (state_dir.get() < 0) throw_errno("open " + dir);
  request.state_dir_fd = state_dir.get();
  request.console_socket = o.console_socket;
  int console_listener = -1;
  if (relay) {
    request.console_socket = dir + "/console.sock";
    console_listener = listen_console_socket(request.console_socket);
  }
  request.preserve_fds = o.preserve_fds;
  request.seccomp = seccomp ? &*seccomp : nullptr;
  request.cgroup_join_in_parallel = !needs_setup_process(spec);
  request.wait_on_fifo = wait_on_fifo;
  if (wait_on_fifo) make_exec_fifo(store_.fifo_path(o.id), spec.linux_spec);

  auto [ours, theirs] = SyncChannel::make_pair();
  request.channel = &theirs;
  const bool with_setup = needs_setup_process(spec);
  pid_t child = -1;
  if (with_setup) {
    // The container's init is then our grandchild: as subreaper we adopt it when the setup
    // process exits, so `run` can wait for it and a failed create can reap it.
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    child = fork();
    if (child == 0) {
      ours.close_fd();
      close(lock.fd());
      run_setup_process(request);
    }
  } else {
    ChildNamespaces namespaces(spec.linux_spec.namespaces);
    child = fork();
    if (child == 0) {
      ours.close_fd();
      close(lock.fd());
      run_direct_init(request);
    }
    namespaces.restore();
  }
  if (child < 0) throw_errno("fork");
  theirs.close_fd();
  const pid_t setup = with_setup ? child : -1;

  record.rootfs = request.rootfs.rootfs;

  if (!with_setup) {
    record.pid = child;
    rollback.set_init(child);
  }
  bool setup_reaped = !with_setup;
  auto reap_setup = [&] {
    if (!setup_reaped) waitpid(setup, nullptr, 0);
    setup_reaped = true;
  };
  try {
    if (request.cgroup_join_in_parallel) {
      ours.send(SyncKind::Proceed);  // the init builds its root while we move it (see InitRequest)
      cgroup.add_process(child);
      ours.send(SyncKind::Proceed);
    } else {
      // The setup process forks the init: it must be in the cgroup before it does.
      cgroup.add_process(child);
      ours.send(SyncKind::Proceed);
    }
    for (bool done = false; !done;) {
      auto m = ours.receive();
      if (!m) throw Error(ErrorKind::System, "container setup exited unexpectedly");
      switch (m->kind) {
        case SyncKind::NeedIdMaps:
          write_id_mappings(setup, spec.linux_spec.uid_mappings, spec.linux_spec.gid_mappings);
          ours.send(SyncKind::Proceed);
          break;
        case SyncKind::InitPid:
          record.pid = static_cast<pid_t>(m->value);
          rollback.set_init(record.pid);
          reap_setup();
          break;
        case SyncKind::RuntimeHooks: {
          const std::string state = state_document(record, "creating").dump();
          run_hooks(spec.hooks.prestart, state, "prestart");
          run_hooks(spec.hooks.create_runtime, state, "createRuntime");
          ours.send(SyncKind::Proceed, 0, state);
          break;
        }
        case SyncKind::SeccompListener:
          deliver_seccomp_listener(ours, *spec.linux_spec.seccomp, record.pid, state_document(record, "creating"));
          ours.send(SyncKind::Proceed);
          break;
        case SyncKind::Created:
          if (record.pid <= 0) throw Error(ErrorKind::System, "container init reported before its pid was known");
          done = true;
          break;
        case SyncKind::Failed: throw Error(ErrorKind::System, m->text);
        default: throw Error(ErrorKind::System, "unexpected message from container setup");
      }
    }
  } catch (...) {
    if (with_setup) ::kill(setup, SIGKILL);
    reap_setup();
    throw;
  }
  reap_setup();
  record.pid_start_time = process_start_time(record.pid);
  store_.save(record);
  if (!o.pid_file.empty()) write_file_atomically(o.pid_file, std::to_string(record.pid));
  rollback.disarm();
  return Created{std::move(record), std::move(spec), std::move(ours), console_listener};
}

void Runtime::create(const CreateOptions& options) { create_container(options, /*wait_on_fifo=*/true); }

void Runtime::start(const std::string& id) {
  ContainerLock lock = store_.lock(id);
  const ContainerRecord record = store_.load(id);
  const std::string status = status_of(record, /*lock_held=*/true);
  if (status != "created") throw Error(ErrorKind::Conflict, "cannot start a container that is " + status);
  const Spec spec = saved_spec(id);
  const int fifo = open(store_.fifo_path(id).c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fifo < 0) throw_errno("open exec fifo");
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, record.pid, 0));
  char byte = 0;
  ssize_t n = -1;
  for (;;) {  // the init opens its end and writes one byte; or dies trying
    pollfd fds[2] = {{fifo, POLLIN, 0}, {pidfd, POLLIN, 0}};
    poll(fds, pidfd >= 0 ? 2 : 1, -1);
    n = read(fifo, &byte, 1);
    if (n == 1 || (fds[1].revents & POLLIN) || (n < 0 && errno != EAGAIN)) break;
  }
  // Then EOF: the init's end closes on exec (or when it dies), so `start` returns, and
  // poststart hooks run, once the user's program has been executed. Anything written before
  // EOF is the reason the init failed between `start` and the exec.
  std::string failure;
  for (char rest[512]; n == 1;) {
    pollfd fds[2] = {{fifo, POLLIN, 0}, {pidfd, POLLIN, 0}};
    poll(fds, pidfd >= 0 ? 2 : 1, -1);
    const ssize_t r = read(fifo, rest, sizeof rest);
    if (r > 0) {
      failure.append(rest, static_cast<size_t>(r));
      continue;
    }
    if (r == 0 || (r < 0 && errno != EAGAIN)) break;
    if (fds[1].revents & POLLIN) break;  // dead, and nothing left unread (read said EAGAIN)
  }
  close(fifo);
  if (pidfd >= 0) close(pidfd);
  unlink(store_.fifo_path(id).c_str());
  if (n != 1) throw Error(ErrorKind::System, "container " + id + " exited before it could start");
  if (!failure.empty()) throw Error(ErrorKind::System, failure);
  try {
    run_hooks(spec.hooks.poststart, state_document(record, "running").dump(), "poststart");
  } catch (const Error& e) {
    warn(e.what());
  }
}

int Runtime::run(const CreateOptions& options, bool detach) {
  if (!detach) block_forwarded_signals();
  CreateOptions with_relay = options;
  with_relay.relay_terminal = !detach;
  Created c = create_container(with_relay, /*wait_on_fifo=*/false);
  c.channel.send(SyncKind::Proceed);
  auto failure = c.channel.receive();  // EOF: the program was exec'd
  if (failure && failure->kind == SyncKind::Failed) {
    destroy(c.record, &c.spec);
    throw Error(ErrorKind::System, failure->text);
  }
  try {
    run_hooks(c.spec.hooks.poststart, state_document(c.record, "running").dump(), "poststart");
  } catch (const Error& e) {
    warn(e.what());
  }
  if (detach) {
    if (!options.pid_file.empty()) write_file_atomically(options.pid_file, std::to_string(c.record.pid));
    return 0;
  }
  int master = -1;
  if (c.console_listener >= 0) {
    const int conn = accept4(c.console_listener, nullptr, nullptr, SOCK_CLOEXEC);
    master = conn >= 0 ? receive_fd(conn) : -1;
    if (conn >= 0) close(conn);
    close(c.console_listener);
  }
  const int status = wait_forwarding_signals(c.record.pid, master);
  if (master >= 0) close(master);
  report_oom(c.record, status);
  ContainerLock lock = store_.lock(c.record.id);
  destroy(c.record, &c.spec);
  return exit_status_from_wait(status);
}

void Runtime::report_oom(const ContainerRecord& record, int wait_status) const {
  if (!WIFSIGNALED(wait_status) || WTERMSIG(wait_status) != SIGKILL) return;
  const CgroupStats s = cgroup_of(record).stats();
  if (s.oom_kills > 0)
    fprintf(stderr, "vessel: container %s was killed by the OOM killer (memory limit %llu bytes)\n", record.id.c_str(),
            static_cast<unsigned long long>(s.memory_limit));
}

nlohmann::json Runtime::state(const std::string& id) const {
  const ContainerRecord record = store_.load(id);
  return state_document(record, status_of(record));
}

void Runtime::kill(const std::string& id, int signal, bool all) {
  ContainerLock lock = store_.lock(id);
  const ContainerRecord record = store_.load(id);
  const std::string status = status_of(record, /*lock_held=*/true);
  if (status == "stopped" && !all) throw Error(ErrorKind::Conflict, "container " + id + " is not running");
  if (all) {
    Cgroup cgroup = cgroup_of(record);
    cgroup.signal_all(signal);
    return;
  }
  if (record.pid <= 0 || ::kill(record.pid, signal) != 0) throw_errno("kill container " + id);
}

void Runtime::destroy(const ContainerRecord& record, const Spec* spec) {
  if (process_start_time(record.pid) == record.pid_start_time && record.pid_start_time != 0) {
    ::kill(record.pid, SIGKILL);
    wait_gone(record.pid, 5000);
  }
  Cgroup cgroup = cgroup_of(record);
  cgroup.destroy();
  // Without a mount namespace of its own the container's mounts live in ours.
  if (spec && !spec->linux_spec.find_namespace(NamespaceType::Mount)) detach_mounts_under(record.rootfs);
  if (spec) {
    try {
      run_hooks(spec->hooks.poststop, state_document(record, "stopped").dump(), "poststop");
    } catch (const Error& e) {
      warn(e.what());
    }
  }
  store_.remove(record.id);
}

void Runtime::remove(const std::string& id, bool force) {
  StateStore::validate_id(id);
  ContainerLock lock;
  try {
    lock = store_.lock(id);
  } catch (const Error& e) {
    if (force && e.kind() == ErrorKind::NotFound) return;
    throw;
  }
  if (!store_.exists(id)) {
    // A directory without state: a create that was killed midway. Nothing runs; clean it.
    store_.remove(id);
    if (force) return;
    throw Error(ErrorKind::NotFound, "container " + id + " does not exist");
  }
  const ContainerRecord record = store_.load(id);
  const std::string status = status_of(record, /*lock_held=*/true);
  if ((status == "running" || status == "paused") && !force)
    throw Error(ErrorKind::Conflict, "cannot delete container " + id + " that is " + status + " (use --force)");
  std::optional<Spec> spec;
  try {
    spec = saved_spec(id);
  } catch (const Error&) {
  }
  if (status == "paused") cgroup_of(record).set_frozen(false);
  destroy(record, spec ? &*spec : nullptr);
}

std::vector<pid_t> Runtime::processes(const std::string& id) const {
  const ContainerRecord record = store_.load(id);
  return cgroup_of(record).processes();
}

std::vector<ContainerSummary> Runtime::list() const {
  std::vector<ContainerSummary> out;
  for (const auto& id : store_.list()) {
    try {
      ContainerRecord r = store_.load(id);
      const std::string status = status_of(r);
      out.push_back({std::move(r), status});
    } catch (const Error&) {
    }
  }
  return out;
}

CgroupStats Runtime::stats(const std::string& id) const { return cgroup_of(store_.load(id)).stats(); }

void Runtime::update(const std::string& id, const ResourcesSpec& resources) {
  ContainerLock lock = store_.lock(id);
  const ContainerRecord record = store_.load(id);
  const std::string status = status_of(record, /*lock_held=*/true);
  if (status == "stopped" || status == "creating") throw Error(ErrorKind::Conflict, "cannot update a container that is " + status);
  cgroup_of(record).apply(resources);
}

void Runtime::set_paused(const std::string& id, bool paused) {
  ContainerLock lock = store_.lock(id);
  const ContainerRecord record = store_.load(id);
  const std::string status = status_of(record, /*lock_held=*/true);
  if (paused && status != "running") throw Error(ErrorKind::Conflict, "cannot pause a container that is " + status);
  if (!paused && status != "paused") throw Error(ErrorKind::Conflict, "cannot resume a container that is " + status);
  cgroup_of(record).set_frozen(paused);
}

}  // namespace vessel::container
