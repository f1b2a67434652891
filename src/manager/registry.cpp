#include "manager/registry.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <set>

#include "manager/cloud_init_seed.h"
#include "manager/control_client.h"

namespace vessel::manager {

using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

std::string describe_status(int status) {
  if (WIFEXITED(status) && WEXITSTATUS(status) == 5) return "migrated";  // vessel run's kExitMigrated
  if (WIFEXITED(status)) return WEXITSTATUS(status) == 0 ? "poweroff" : "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return WTERMSIG(status) == SIGKILL ? "killed" : "signal " + std::to_string(WTERMSIG(status));
  return "exited";
}

bool unknown_op(const std::string& message) { return message.find("unknown op") != std::string::npos; }

}  // namespace

Result<std::unique_ptr<Registry>> Registry::open(StateDir state, RegistryOptions options, EventLog& log) {
  std::unique_ptr<Registry> r(new Registry(std::move(state), std::move(options), log));
  r->load_and_adopt();
  r->watcher_ = std::thread([p = r.get()] { p->watch_loop(); });
  return r;
}

Registry::~Registry() {
  {
    std::lock_guard lock(watch_mutex_);
    stopping_ = true;
  }
  watch_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
  // Running VMMs are left running on purpose: the next daemon adopts them.
}

void Registry::load_and_adopt() {
  for (const std::string& name : state_.vm_names()) {
    try {
      load_one(name);
    } catch (const std::exception& e) {  // a hand-edited or damaged file: skip that VM
      log_.warn("skipping VM with unreadable state", {{"vm", name}, {"error", e.what()}});
    }
  }
}

void Registry::load_one(const std::string& name) {
  {
    auto stored = read_json(state_.definition_path(name));
    if (!stored) {
      log_.warn("skipping VM with unreadable definition", {{"vm", name}, {"error", stored.error()}});
      return;
    }
    auto def = definition_from_store(stored.value());
    if (!def || def->name != name) {
      log_.warn("skipping VM with invalid definition", {{"vm", name}});
      return;
    }
    auto e = std::make_shared<Entry>();
    e->def = def.value();
    if (auto rt = read_json(state_.runtime_path(name)); rt && rt->is_object()) {
      const json& j = rt.value();
      ProcessId id{j.value("pid", 0), j.value("start_time", uint64_t{0})};
      e->incoming = j.value("incoming", false);
      e->copies_disks = j.value("copies_disks", false);
      e->migrating_to = j.value("migrating_to", "");
      e->migrating_as = j.value("migrating_as", "");
      if (process_alive(id)) {
        e->run = Runtime{id, false, static_cast<uid_t>(j.value("jail_uid", 0u))};
        const bool answers = static_cast<bool>(control_request(state_.control_socket(name), {{"op", "status"}}, 2s));
        log_.info("re-adopted running VMM", {{"vm", name}, {"pid", id.pid}, {"control_answers", answers}});
      } else {
        if (e->migrating_to.empty()) unlink(state_.runtime_path(name).c_str());  // else settle_outgoing reads it
        e->last_exit = "lost (the VMM was not running when the daemon started)";
        log_.info("VMM of VM is gone; marked stopped", {{"vm", name}, {"pid", id.pid}});
      }
    }
    table_[name] = e;
  }
}

void Registry::autostart() {
  std::vector<std::string> names;
  {
    std::lock_guard lock(table_mutex_);
    for (auto& [name, e] : table_) {
      std::lock_guard d(e->data);
      if (e->def.autostart && !e->run) names.push_back(name);
    }
  }
  for (const auto& name : names) {
    auto r = start(name);
    if (!r) log_.error("autostart failed", {{"vm", name}, {"error", r.error().message}});
  }
}

std::shared_ptr<Registry::Entry> Registry::find(const std::string& name) {
  std::lock_guard lock(table_mutex_);
  auto it = table_.find(name);
  return it == table_.end() ? nullptr : it->second;
}

void Registry::check_exit_locked(Entry& e) {
  if (!e.run) return;
  bool gone = false;
  if (e.run->child) {
    int status = 0;
    const pid_t r = waitpid(e.run->proc.pid, &status, WNOHANG);
    if (r == e.run->proc.pid) {
      gone = true;
      e.last_exit = describe_status(status);
      // A jailed VMM killed by its syscall filter names the call in its log.
      if (e.run->jail_uid && WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
        if (auto why = seccomp_exit_from_log(file_tail(state_.log_path(e.def.name), 4096))) e.last_exit = *why;
    } else if (r < 0) {
      gone = !process_alive(e.run->proc);
      if (gone) e.last_exit = "exited";
    }
  } else if (!process_alive(e.run->proc)) {
    gone = true;
    e.last_exit = "exited";
    if (e.run->jail_uid)
      if (auto why = seccomp_exit_from_log(file_tail(state_.log_path(e.def.name), 4096))) e.last_exit = *why;
  }
  if (gone) {
    if (e.run->jail_uid && !options_.sandbox.cgroup_parent.empty())
      rmdir((options_.sandbox.cgroup_parent + "/" + e.def.name).c_str());  // empty now; best effort
    log_.info("VMM exited", {{"vm", e.def.name}, {"pid", e.run->proc.pid}, {"exit", e.last_exit}});
    e.run.reset();
    if (e.migrating_to.empty()) unlink(state_.runtime_path(e.def.name).c_str());
  }
}

bool Registry::running(Entry& e) {
  std::lock_guard d(e.data);
  check_exit_locked(e);
  return e.run.has_value();
}

bool Registry::wait_gone(Entry& e, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (!running(e)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);  // polling a process we cannot wait on (adopted)
  }
}

void Registry::watch_loop() {
  std::unique_lock lock(watch_mutex_);
  while (!watch_cv_.wait_for(lock, 200ms, [this] { return stopping_; })) {
    std::vector<std::shared_ptr<Entry>> entries;
    {
      std::lock_guard t(table_mutex_);
      for (auto& [n, e] : table_) entries.push_back(e);
    }
    for (auto& e : entries) {
      std::lock_guard d(e->data);
      check_exit_locked(*e);
    }
    lock.unlock();
    settle_incoming(entries);
    settle_outgoing(entries);
    lock.lock();
  }
}

Outcome<std::vector<std::string>> Registry::jail_for(const VmDefinition& def, uid_t& uid) {
  uid = 0;
  if (!def.sandbox || !options_.sandbox.enabled) return std::vector<std::string>{};
  std::set<uid_t> in_use;
  {
    std::lock_guard lock(table_mutex_);
    for (auto& [n, other] : table_) {
      std::lock_guard d(other->data);
      if (other->run && other->run->jail_uid) in_use.insert(other->run->jail_uid);
    }
  }
  std::lock_guard lock(uid_mutex_);
  in_use.insert(starting_uids_.begin(), starting_uids_.end());
  auto picked = pick_jail_uid(options_.sandbox, in_use);
  if (!picked)
    return ManagerError{ErrorKind::VmmFailure, "start_failed",
                        "no free uid left in the sandbox range (vesseld --sandbox-uids)"};
  uid = *picked;
  starting_uids_.insert(uid);
  return jail_args(options_.sandbox, uid, def.name);
}

void Registry::release_starting_uid(uid_t uid) {
  std::lock_guard lock(uid_mutex_);
  starting_uids_.erase(uid);
}

void Registry::kill_vmm(const Runtime& run) {
  // A jailed VMM first: its keeper reaps it and dies of the same SIGKILL. Killing the keeper
  // first would leave the VMM (killed by its parent-death signal) to this daemon, the
  // subreaper, unreaped.
  const pid_t vmm = vmm_pid(run);
  ::kill(vmm != run.proc.pid && vmm > 0 ? vmm : run.proc.pid, SIGKILL);
}

Result<bool> Registry::save_definition(const VmDefinition& def) {
  return write_json_atomic(state_.definition_path(def.name), to_json(def));
}

Outcome<json> Registry::control(Entry& e, const json& req, std::chrono::milliseconds timeout) {
  auto r = control_request(state_.control_socket(e.def.name), req, timeout);
  if (!r) return ManagerError{ErrorKind::VmmFailure, "vmm_unreachable", r.error()};
  if (!r->value("ok", false)) {
    const std::string msg = r->value("error", std::string("the VMM refused the request"));
    if (unknown_op(msg))
      return ManagerError{ErrorKind::Unsupported, "not_supported",
                          "this VMM does not support '" + req.value("op", std::string()) + "'"};
    return ManagerError{ErrorKind::VmmFailure, "vmm_error", msg};
  }
  return r.value();
}

json Registry::info(Entry& e) {
  std::optional<Runtime> run;
  json j;
  {
    std::lock_guard d(e.data);
    check_exit_locked(e);
    run = e.run;
    j = {{"name", e.def.name},
         {"state", "stopped"},
         {"config", to_json(e.def)},
         {"memory_bytes", e.def.memory_bytes},
         {"cpus", e.def.cpus}};
    if (!e.last_exit.empty()) j["last_exit"] = e.last_exit;
    j["sandbox"] = e.def.sandbox && options_.sandbox.enabled;
  }
  if (!run) return j;
  j["state"] = "running";
  j["pid"] = run->proc.pid;
  j["sandbox"] = run->jail_uid != 0;
  if (run->jail_uid) j["jail"] = {{"uid", run->jail_uid}, {"gid", run->jail_uid}, {"vmm_pid", vmm_pid(*run)}};
  if (e.def.gdb) j["gdb_socket"] = state_.gdb_socket(e.def.name);
  if (e.def.vsock) j["vsock_socket"] = state_.vsock_socket(e.def.name);
  j["uptime_seconds"] = process_uptime_seconds(run->proc);
  const pid_t vmm = vmm_pid(*run);
  j["rss_bytes"] = process_rss_bytes(vmm);
  if (auto shared = process_ksm_merging_bytes(vmm)) j["ksm_merging_bytes"] = *shared;
  const double cpu = process_cpu_seconds(vmm);
  j["cpu_seconds"] = cpu;
  j["vcpu_seconds"] = cpu;
  // The VMM's own accounting: "metrics" (vCPU time from the vCPU threads' clocks), or "status"
  // from a VMM without it.
  const std::string ctl = state_.control_socket(e.def.name);
  auto st = control_request(ctl, {{"op", "metrics"}}, 2s);
  if (!st || !st->value("ok", false)) st = control_request(ctl, {{"op", "status"}}, 2s);
  if (st && st->value("ok", false)) {
    const json& s = st.value();
    if (s.value("paused", false) || s.value("state", "") == "paused") j["state"] = "paused";
    for (const char* key : {"memory_bytes", "guest_memory_bytes"})
      if (s.contains(key) && s[key].is_number_unsigned()) j["memory_bytes"] = s[key];
    if (s.contains("harts") && s["harts"].is_number_unsigned()) j["cpus"] = s["harts"];
    if (s.contains("harts") && s["harts"].is_array() && !s["harts"].empty()) j["cpus"] = s["harts"].size();
    if (s.contains("instructions") && s["instructions"].is_number_unsigned()) j["instructions"] = s["instructions"];
    if (s.contains("vcpu_seconds") && s["vcpu_seconds"].is_number()) j["vcpu_seconds"] = s["vcpu_seconds"];
  } else {
    j["state"] = "unresponsive";
  }
  return j;
}

Outcome<json> Registry::create(const json& body) {
  bool start_now = false;
  auto def = parse_definition(body, start_now);
  if (!def) return def.error();
  const std::string name = def->name;
  for (const std::string& n : attached_networks(def.value()))
    if (options_.network_exists && !options_.network_exists(n))
      return invalid("no network named '" + n + "' (create it with `vessel net create " + n + "`)", "unknown_network");
  const size_t sock_len = state_.control_socket(name).size();
  if (sock_len >= 108)
    return invalid("the state directory path is too long for a control socket of VM '" + name + "'", "invalid_name");
  auto e = std::make_shared<Entry>();
  e->def = def.value();
  {
    std::lock_guard lock(table_mutex_);
    if (table_.count(name)) return conflict("a VM named '" + name + "' already exists", "already_exists");
    if (auto ok = state_.create_vm_dir(name); !ok) return ManagerError{ErrorKind::VmmFailure, "state_error", ok.error()};
    if (!e->def.cloud_init.empty()) {
      e->def.cloud_init_seed = state_.vm_dir(name) + "/cidata.iso";
      if (auto ok = make_cloud_init_seed(e->def.cloud_init, name, e->def.cloud_init_seed); !ok) {
        (void)state_.remove_vm_dir(name);
        return invalid(ok.error(), "invalid_cloud_init");
      }
    }
    if (auto ok = save_definition(e->def); !ok) {
      (void)state_.remove_vm_dir(name);
      return ManagerError{ErrorKind::VmmFailure, "state_error", ok.error()};
    }
    table_[name] = e;
  }
  log_.info("VM created", {{"vm", name}});
  if (start_now) {
    auto r = start(name);
    if (!r) return r.error();
    return r;
  }
  return info(*e);
}

std::vector<std::string> Registry::vms_on_network(const std::string& network) {
  std::vector<std::shared_ptr<Entry>> entries;
  {
    std::lock_guard lock(table_mutex_);
    for (auto& [n, e] : table_) entries.push_back(e);
  }
  std::vector<std::string> names;
  for (auto& e : entries) {
    std::lock_guard lock(e->data);
    const auto attached = attached_networks(e->def);
    if (!e->removed && std::find(attached.begin(), attached.end(), network) != attached.end()) names.push_back(e->def.name);
  }
  return names;
}

json Registry::list() {
  std::vector<std::shared_ptr<Entry>> entries;
  {
    std::lock_guard lock(table_mutex_);
    for (auto& [n, e] : table_) entries.push_back(e);
  }
  json out = json::array();
  for (auto& e : entries) out.push_back(info(*e));
  return json{{"vms", out}};
}

Outcome<json> Registry::get(const std::string& name) {
  auto e = find(name);
  if (!e) return not_found(name);
  bool copies;
  {
    std::lock_guard data(e->data);
    copies = e->copies_disks && e->incoming;
  }
  // A VM arriving with its disks copied: whoever looks (the source daemon does, once the
  // move is done) sees the copies, without waiting for the watcher.
  if (copies) settle_incoming({e});
  return info(*e);
}

Outcome<json> Registry::start(const std::string& name) {
  auto e = find(name);
  if (!e) return not_found(name);
  std::lock_guard op(e->op);
  if (e->removed) return not_found(name);
  if (running(*e)) return conflict("VM '" + name + "' is already running");
  return start_locked(*e);
}

Outcome<json> Registry::start_locked(Entry& e) {
  const VmDefinition def = e.def;
  for (const auto& [field, path] : {std::pair{"kernel", def.kernel}, {"initrd", def.initrd}, {"snapshot", def.snapshot}}) {
    struct stat st{};
    if (!path.empty() && stat(path.c_str(), &st) != 0)
      return invalid(std::string(field) + " file not found: " + path, "file_not_found");
  }
  const std::string ctl = state_.control_socket(def.name), con = state_.console_socket(def.name);
  unlink(ctl.c_str());
  unlink(con.c_str());
  // Sockets of an earlier (jailed) run belong to its uid; under the sticky bit the next
  // VMM could not replace them.
  for (const std::string& stale : {state_.gdb_socket(def.name), state_.vsock_socket(def.name),
                                   state_.vm_dir(def.name) + "/snapshot.partial"})
    unlink(stale.c_str());
  std::vector<std::string> args = to_vmm_args(def, state_.vsock_socket(def.name), options_.networks_dir);
  args.insert(args.end(), {"--control", ctl, "--console-socket", con});
  if (def.gdb) args.insert(args.end(), {"--gdb", "unix:" + state_.gdb_socket(def.name)});
  if (options_.ksm) args.push_back("--ksm");
  uid_t uid = 0;
  auto jail = jail_for(def, uid);
  if (!jail) return jail.error();
  args.insert(args.end(), jail->begin(), jail->end());
  auto proc = spawn_detached(options_.vmm_binary, args, state_.log_path(def.name));
  if (!proc) {
    release_starting_uid(uid);
    return ManagerError{ErrorKind::VmmFailure, "start_failed", proc.error()};
  }
  {
    std::lock_guard d(e.data);
    e.run = Runtime{proc.value(), true, uid};
    e.last_exit.clear();
  }
  release_starting_uid(uid);
  (void)write_json_atomic(state_.runtime_path(def.name),
                          {{"pid", proc->pid}, {"start_time", proc->start_time}, {"control", ctl}, {"console", con},
                           {"jail_uid", uid}},
                          false);
  log_.info("VMM started", {{"vm", def.name}, {"pid", proc->pid}, {"jail_uid", uid}});
  // Ready when the control socket answers; a VMM that fails (bad kernel, bad snapshot) exits.
  const auto deadline = Clock::now() + options_.start_timeout;
  for (;;) {
    if (!running(e)) {
      const std::string tail = file_tail(state_.log_path(def.name), 600);
      return ManagerError{ErrorKind::InvalidArgument, "start_failed",
                          "the VMM exited during start" + (tail.empty() ? std::string() : ": " + tail)};
    }
    if (access(ctl.c_str(), F_OK) == 0 && access(con.c_str(), F_OK) == 0)
      if (auto st = control_request(ctl, {{"op", "status"}}, 1s); st && st->value("ok", false)) break;
    if (Clock::now() >= deadline) {
      ::kill(proc->pid, SIGKILL);
      wait_gone(e, 5s);
      return ManagerError{ErrorKind::VmmFailure, "start_failed", "the VMM did not become ready in time"};
    }
    // A VMM is ready 10 to 20 ms after it starts: 5 ms steps would round that up by a quarter.
    std::this_thread::sleep_for(1ms);
  }
  // A restored VM runs with the snapshot's configuration: apply the definition's limits.
  if (!def.snapshot.empty() && (def.limits.cpu > 0 || !def.limits.drives.empty() || !def.limits.nets.empty()))
    if (auto r = control(e, limits_request(def.limits), 5s); !r)
      log_.warn("cannot apply limits to the restored VM", {{"vm", def.name}, {"error", r.error().message}});
  return info(e);
}

Outcome<json> Registry::stop(const std::string& name, std::chrono::milliseconds timeout, bool force) {
  auto e = find(name);
  if (!e) return not_found(name);
  std::lock_guard op(e->op);
  if (!running(*e)) return conflict("VM '" + name + "' is not running");
  const std::string ctl = state_.control_socket(name);
  // A paused guest cannot act on the request: let it run first.
  (void)control_request(ctl, {{"op", "resume"}}, 2s);
  // The guest agent runs the guest's own shutdown; the SysRq request over the serial port
  // only syncs and powers off; SIGTERM ends the VMM from the host side.
  std::string method = "guest_agent";
  bool asked = shutdown_by_agent(*e);
  if (!asked) {
    method = "sysrq";
    if (auto r = control_request(ctl, {{"op", "shutdown"}}, 5s); r && r->value("ok", false)) asked = true;
  }
  if (!asked && !force)
    return conflict("VM '" + name + "' cannot be asked to shut down: no guest agent answers and the guest does not read "
                    "its serial console (vessel vm stop ends it from the host side)",
                    "no_guest_request");
  if (!asked) {
    method = "signal";
    // No cooperative path (old VMM, guest not on ttyS0): SIGTERM ends the VMM cleanly (host side).
    std::lock_guard d(e->data);
    if (e->run) ::kill(e->run->proc.pid, SIGTERM);
  }
  bool forced = false;
  if (!wait_gone(*e, timeout)) {
    if (!force)
      return conflict("VM '" + name + "' did not power off within " + std::to_string(timeout.count() / 1000) +
                          " s after the request (" + method + "); it keeps running (vessel vm stop forces)",
                      "still_running");
    forced = true;
    {
      std::lock_guard d(e->data);
      if (e->run) kill_vmm(*e->run);
    }
    wait_gone(*e, 10s);
  }
  log_.info("VM stopped", {{"vm", name}, {"method", method}, {"forced", forced}});
  auto j = info(*e);
  j["forced"] = forced;
  j["stop_method"] = method;
  return j;
}

Outcome<json> Registry::kill(const std::string& name) {
  auto e = find(name);
  if (!e) return not_found(name);
  std::lock_guard op(e->op);
  {
    std::lock_guard d(e->data);
    check_exit_locked(*e);
    if (!e->run) return conflict("VM '" + name + "' is not running");
    // Identity checked under the lock just before the signal: never a reused pid.
    if (process_alive(e->run->proc)) kill_vmm(*e->run);
  }
  if (!wait_gone(*e, 10s)) return ManagerError{ErrorKind::VmmFailure, "kill_failed", "the VMM did not exit"};
  log_.info("VM killed", {{"vm", name}});
  return info(*e);
}

Outcome<json> Registry::simple_op(const std::string& name, const char* op, const char* wrong_state, bool want_paused) {
  auto e = find(name);
  if (!e) return not_found(name);
  std::lock_guard lock(e->op);
  if (!running(*e)) return conflict("VM '" + name + "' is not running");
  auto st = control(*e, {{"op", "status"}}, 2s);
  if (!st) return st.error();
  if (st->value("paused", false) != want_paused) return conflict("VM '" + name + "' " + wrong_state);
  auto r = control(*e, {{"op", op}}, 10s);
  if (!r) return r.error();
  log_.info(std::string("VM ") + op + "d", {{"vm", name}});
  return info(*e);
}

Outcome<json> Registry::pause(const std::string& name) { return simple_op(name, "pause", "is already paused", false); }
Outcome<json> Registry::resume(const std::string& name) { return simple_op(name, "resume", "is not paused", true); }

Outcome<json> Registry::snapshot(const std::string& name, const std::string& path) {
  auto e = find(name);
  if (!e) return not_found(name);
  if (path.empty() || path[0] != '/') return invalid("field 'path' must be an absolute path", "invalid_path");
  const std::string parent = path.substr(0, path.rfind('/'));
  struct stat st{};
  if (!parent.empty() && (stat(parent.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)))
    return invalid("directory not found: " + parent, "file_not_found");
  std::lock_guard lock(e->op);
  if (!running(*e)) return conflict("VM '" + name + "' is not running");
  const auto started = Clock::now();
  bool jailed = false;
  {
    std::lock_guard d(e->data);
    jailed = e->run && e->run->jail_uid;
  }
  // A jailed VMM sees only its own directory: it writes there and the daemon moves the file.
  const std::string written = jailed ? state_.vm_dir(name) + "/snapshot.partial" : path;
  auto r = control(*e, {{"op", "snapshot"}, {"path", written}}, 600s);
  if (!r) return r.error();
  if (jailed)
    if (auto moved = move_snapshot(written, path); !moved)
      return ManagerError{ErrorKind::VmmFailure, "snapshot_failed", moved.error()};
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  log_.info("VM snapshot written", {{"vm", name}, {"path", path}, {"seconds", seconds}});
  json j{{"name", name}, {"path", path}, {"seconds", seconds}};
  if (stat(path.c_str(), &st) == 0) j["size_bytes"] = static_cast<uint64_t>(st.st_size);
  return j;
}

Outcome<json> Registry::update_limits(const std::string& name, const json& body) {
  auto e = find(name);
  if (!e) return not_found(name);
  std::lock_guard lock(e->op);
  auto limits = parse_limits(body, e->def);
  if (!limits) return limits.error();
  if (running(*e)) {
    auto r = control(*e, limits_request(limits.value()), 5s);
    if (!r) return r.error();
  }
  VmDefinition def = e->def;
  def.limits = limits.value();
  if (auto ok = save_definition(def); !ok) return ManagerError{ErrorKind::VmmFailure, "state_error", ok.error()};
  {
    std::lock_guard d(e->data);
    e->def = def;
  }
  log_.info("VM limits updated", {{"vm", name}, {"limits", to_json(def.limits)}});
  return info(*e);
}

Outcome<json> Registry::remove(const std::string& name) {
  auto e = find(name);
  if (!e) return not_found(name);
  std::lock_guard lock(e->op);
  if (running(*e)) return conflict("VM '" + name + "' is running; stop or kill it first");
  {
    std::lock_guard t(table_mutex_);
    table_.erase(name);
    e->removed = true;
  }
  if (auto ok = state_.remove_vm_dir(name); !ok) log_.warn("cannot remove VM directory", {{"vm", name}});
  log_.info("VM deleted", {{"vm", name}});
  return json{{"name", name}, {"deleted", true}};
}

Outcome<std::string> Registry::console_socket(const std::string& name) {
  auto e = find(name);
  if (!e) return not_found(name);
  if (!running(*e)) return conflict("VM '" + name + "' is not running");
  return state_.console_socket(name);
}

}  // namespace vessel::manager
