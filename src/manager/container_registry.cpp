#include "manager/container_registry.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "manager/json_fields.h"
#include "manager/process_info.h"
#include "manager/state_dir.h"
#include "manager/tool_process.h"

namespace vessel::manager {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

ManagerError container_not_found(const std::string& name) {
  return {ErrorKind::NotFound, "container_not_found", "no container named '" + name + "'"};
}
ManagerError runtime_failure(const std::string& message) { return {ErrorKind::VmmFailure, "runtime_failed", message}; }

std::string rfc3339_now() {
  char buf[32];
  const time_t t = time(nullptr);
  tm tm{};
  gmtime_r(&t, &tm);
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "stopped";
}

// The last error vessel-runc wrote to its --log (JSON lines), else its captured stderr.
std::string runtime_error_text(const std::string& log_path, const std::string& fallback) {
  std::ifstream in(log_path);
  std::string last;
  for (std::string line; std::getline(in, line);) {
    auto j = json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.value("level", "") == "error") last = j.value("msg", "");
  }
  if (!last.empty()) return last;
  std::string t = fallback;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  return t.empty() ? "the container runtime failed" : t;
}

}  // namespace

ContainerRegistry::ContainerRegistry(std::string dir, std::string runc_binary, ImageStore& images, EventLog& log)
    : dir_(std::move(dir)), runc_binary_(std::move(runc_binary)), runtime_root_(dir_ + "/.runtime"), images_(images), log_(log) {
  std::error_code ec;
  fs::create_directories(runtime_root_, ec);
  load();
  watcher_ = std::thread([this] { watch_loop(); });
}

ContainerRegistry::~ContainerRegistry() {
  {
    std::lock_guard lock(watch_mutex_);
    stopping_ = true;
  }
  watch_cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
  // Running containers are left running on purpose: the next daemon finds them.
}

void ContainerRegistry::load() {
  std::error_code ec;
  for (const auto& d : fs::directory_iterator(dir_, ec)) {
    const std::string name = d.path().filename().string();
    if (!d.is_directory() || name[0] == '.') continue;
    auto stored = read_json(d.path() / "container.json");
    if (!stored) continue;
    auto def = container_from_store(stored.value());
    if (!def) {
      log_.warn("skipping container with unreadable definition", {{"container", name}, {"error", def.error().message}});
      continue;
    }
    auto e = std::make_shared<Entry>();
    e->def = def.value();
    std::getline(std::ifstream(d.path() / "last_exit"), e->last_exit);
    const RuntimeState rs = runtime_state(name);
    if (rs.status == "running" || rs.status == "paused") {
      e->init = rs.pid;
      e->started_at = rs.created;
      log_.info("adopted running container", {{"container", name}, {"pid", rs.pid}});
    } else if (!rs.status.empty()) {
      cleanup_stopped(*e);
    }
    table_[name] = e;
  }
}

void ContainerRegistry::autostart() {
  std::vector<std::shared_ptr<Entry>> entries;
  {
    std::lock_guard t(table_mutex_);
    for (auto& [n, e] : table_) entries.push_back(e);
  }
  for (auto& e : entries) {
    std::lock_guard op(e->op);
    if (!e->def.autostart || e->init) continue;
    auto r = start_locked(*e);
    if (!r) log_.warn("autostart failed", {{"container", e->def.name}, {"error", r.error().message}});
  }
}

std::shared_ptr<ContainerRegistry::Entry> ContainerRegistry::find(const std::string& name) {
  std::lock_guard t(table_mutex_);
  auto it = table_.find(name);
  return it == table_.end() ? nullptr : it->second;
}

std::vector<std::string> ContainerRegistry::runc_args(const std::string& name, std::vector<std::string> args) const {
  std::vector<std::string> out = {"--root", runtime_root_, "--log", dir_of(name) + "/runtime.log", "--log-format", "json"};
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

Outcome<std::string> ContainerRegistry::runc(const std::string& name, std::vector<std::string> args,
                                             std::chrono::milliseconds timeout) {
  auto r = run_tool(runc_binary_, runc_args(name, std::move(args)), timeout);
  if (!r) return runtime_failure(r.error());
  if (r->timed_out) return runtime_failure("vessel-runc did not answer in time");
  if (r->status != 0) return runtime_failure(runtime_error_text("", r->err));
  return r->out;
}

ContainerRegistry::RuntimeState ContainerRegistry::runtime_state(const std::string& name) {
  RuntimeState s;
  auto r = run_tool(runc_binary_, {"--root", runtime_root_, "state", name}, 10s);
  if (!r || r->status != 0) return s;
  auto j = json::parse(r->out, nullptr, false);
  if (j.is_discarded()) return s;
  s.status = j.value("status", "");
  s.pid = j.value("pid", 0);
  s.created = j.value("created", "");
  return s;
}

bool ContainerRegistry::wait_exit(Entry& e, pid_t pid, std::chrono::milliseconds timeout) {
  if (pid <= 0) return true;
  int status = 0;
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  bool gone = pidfd < 0;  // no such process
  if (!gone) {
    pollfd p{pidfd, POLLIN, 0};
    gone = poll(&p, 1, static_cast<int>(timeout.count())) > 0;
    close(pidfd);
  }
  if (gone && waitpid(pid, &status, WNOHANG) == pid) e.last_exit = describe_exit(status);
  else if (gone && e.last_exit.empty()) e.last_exit = "exited (status unknown: started by an earlier daemon)";
  return gone;
}

void ContainerRegistry::save_last_exit(const Entry& e) {
  std::ofstream(dir_of(e.def.name) + "/last_exit") << e.last_exit;
}

// The init is gone: the runtime's state, cgroup and mounts go too (the overlay's upper layer,
// in the container's own directory, stays for the next start).
void ContainerRegistry::cleanup_stopped(Entry& e) {
  auto r = runc(e.def.name, {"delete", "--force", e.def.name});
  if (!r) log_.warn("cleaning a stopped container failed", {{"container", e.def.name}, {"error", r.error().message}});
  e.init = 0;
  save_last_exit(e);
}

bool ContainerRegistry::reap_if_exited(Entry& e) {
  if (e.init <= 0) return false;
  int status = 0;
  const pid_t r = waitpid(e.init, &status, WNOHANG);
  if (r == e.init) e.last_exit = describe_exit(status);
  else if (r == 0 || process_start_time(e.init)) return false;  // still running
  else if (e.last_exit.empty()) e.last_exit = "exited (status unknown: started by an earlier daemon)";
  log_.info("container exited", {{"container", e.def.name}, {"last_exit", e.last_exit}});
  cleanup_stopped(e);
  return true;
}

nlohmann::json ContainerRegistry::info(Entry& e) {
  reap_if_exited(e);  // answers show the exit as soon as it happened, not at the watcher's next round
  json j = {{"name", e.def.name}, {"kind", "container"}, {"config", to_json(e.def)}};
  std::string state = "stopped";
  if (e.init) {
    const RuntimeState rs = runtime_state(e.def.name);
    state = rs.status == "paused" ? "paused" : rs.status == "running" || rs.status == "created" ? "running" : "stopped";
    if (state != "stopped") {
      j["pid"] = e.init;
      j["started_at"] = e.started_at;
      if (auto st = process_start_time(e.init)) j["uptime_seconds"] = process_uptime_seconds({e.init, *st});
    }
  }
  j["state"] = state;
  if (!e.last_exit.empty()) j["last_exit"] = e.last_exit;
  return j;
}

Outcome<json> ContainerRegistry::create(const json& body) {
  bool start = false;
  auto def = parse_container_definition(body, images_, start);
  if (!def) return def.error();
  auto e = std::make_shared<Entry>();
  e->def = def.value();
  {
    std::lock_guard t(table_mutex_);
    if (table_.count(e->def.name)) return conflict("a container named '" + e->def.name + "' already exists", "container_exists");
    table_[e->def.name] = e;
  }
  std::lock_guard op(e->op);
  std::error_code ec;
  fs::create_directories(dir_of(e->def.name), ec);
  auto saved = ec ? Result<bool>(Error{ec.message()}) : write_json_atomic(dir_of(e->def.name) + "/container.json", to_json(e->def));
  if (!saved) {
    std::lock_guard t(table_mutex_);
    table_.erase(e->def.name);
    return runtime_failure("cannot store the container: " + saved.error());
  }
  log_.info("container created", {{"container", e->def.name}});
  if (start) {
    auto r = start_locked(*e);
    if (!r) return r.error();
  }
  return info(*e);
}

json ContainerRegistry::list() {
  std::vector<std::shared_ptr<Entry>> entries;
  {
    std::lock_guard t(table_mutex_);
    for (auto& [n, e] : table_) entries.push_back(e);
  }
  json out = json::array();
  for (auto& e : entries) {
    std::lock_guard op(e->op);
    out.push_back(info(*e));
  }
  return out;
}

Outcome<json> ContainerRegistry::get(const std::string& name) {
  auto e = find(name);
  if (!e) return container_not_found(name);
  std::lock_guard op(e->op);
  return info(*e);
}

Outcome<json> ContainerRegistry::start(const std::string& name) {
  auto e = find(name);
  if (!e) return container_not_found(name);
  std::lock_guard op(e->op);
  return start_locked(*e);
}

Outcome<json> ContainerRegistry::start_locked(Entry& e) {
  const std::string& name = e.def.name;
  const std::string dir = dir_of(name);
  const RuntimeState rs = runtime_state(name);
  if (rs.status == "running" || rs.status == "paused") return conflict("container '" + name + "' is already " + rs.status);
  if (!rs.status.empty()) cleanup_stopped(e);
  std::optional<Image> image;
  if (!e.def.image.empty()) {
    image = images_.find(e.def.image);
    if (!image) return invalid("the image '" + e.def.image + "' no longer exists", "image_not_found");
  }
  auto config = oci_config(e.def, image ? &*image : nullptr, image ? image->rootfs : e.def.rootfs);
  if (!config) return config.error();
  std::error_code ec;
  fs::create_directories(dir + "/bundle", ec);
  auto written = write_json_atomic(dir + "/bundle/config.json", config.value(), false);
  if (!written) return runtime_failure(written.error());
  // The container's stdin is a FIFO it holds open for reading and writing itself (so it never
  // sees EOF, and console input works after a daemon restart); stdout and stderr append to
  // its log. Both survive the daemon.
  const std::string fifo = dir + "/stdin";
  if (access(fifo.c_str(), F_OK) != 0 && mkfifo(fifo.c_str(), 0600) != 0)
    return runtime_failure("cannot create " + fifo + ": " + strerror(errno));
  const int in = open(fifo.c_str(), O_RDWR | O_CLOEXEC);
  const int out = open((dir + "/output.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  unlink((dir + "/runtime.log").c_str());
  std::optional<Result<ToolRun>> created;
  if (in >= 0 && out >= 0) {
    ToolIo io;
    io.stdin_fd = in;
    io.stdout_fd = out;
    io.stderr_fd = out;
    created = run_tool(runc_binary_,
                       runc_args(name, {"create", "--bundle", dir + "/bundle", "--rootfs-overlay", dir + "/layers", name}),
                       30s, io);
  }
  if (in >= 0) close(in);
  if (out >= 0) close(out);
  if (!created) return runtime_failure("cannot open the container's stdin or log in " + dir);
  if (!*created) return runtime_failure(created->error());
  if ((*created)->timed_out || (*created)->status != 0) {
    const std::string why = runtime_error_text(dir + "/runtime.log", "vessel-runc create failed");
    (void)runc(name, {"delete", "--force", name});
    return runtime_failure(why);
  }
  // The init's pid before `start`: a program that exits at once must still be reaped and seen.
  const RuntimeState created_state = runtime_state(name);
  auto started = runc(name, {"start", name});
  if (!started) {
    (void)runc(name, {"delete", "--force", name});
    return runtime_failure(runtime_error_text(dir + "/runtime.log", started.error().message));
  }
  e.init = created_state.pid;
  e.started_at = rfc3339_now();
  e.last_exit.clear();
  save_last_exit(e);
  log_.info("container started", {{"container", name}, {"pid", e.init}});
  return info(e);
}

Outcome<json> ContainerRegistry::stop(const std::string& name, std::chrono::milliseconds timeout) {
  auto e = find(name);
  if (!e) return container_not_found(name);
  std::lock_guard op(e->op);
  const RuntimeState rs = runtime_state(name);
  if (rs.status != "running" && rs.status != "paused") return conflict("container '" + name + "' is not running");
  const pid_t pid = rs.pid;
  if (rs.status == "paused") (void)runc(name, {"resume", name});  // a frozen init cannot take SIGTERM
  (void)runc(name, {"kill", name, "TERM"});
  if (!wait_exit(*e, pid, timeout)) {
    log_.info("container ignored SIGTERM, killing it", {{"container", name}});
    (void)runc(name, {"kill", "--all", name, "KILL"});
    if (!wait_exit(*e, pid, 10s)) return runtime_failure("container '" + name + "' did not exit after SIGKILL");
  }
  cleanup_stopped(*e);
  log_.info("container stopped", {{"container", name}, {"last_exit", e->last_exit}});
  return info(*e);
}

Outcome<json> ContainerRegistry::kill(const std::string& name, int signal) {
  auto e = find(name);
  if (!e) return container_not_found(name);
  std::lock_guard op(e->op);
  const RuntimeState rs = runtime_state(name);
  if (rs.status != "running" && rs.status != "paused") return conflict("container '" + name + "' is not running");
  auto r = runc(name, {"kill", "--all", name, std::to_string(signal)});
  if (!r) return r.error();
  if (signal == SIGKILL) {
    if (!wait_exit(*e, rs.pid, 10s)) return runtime_failure("container '" + name + "' did not exit after SIGKILL");
    cleanup_stopped(*e);
  }
  return info(*e);
}

Outcome<json> ContainerRegistry::pause(const std::string& name) { return freeze(name, true); }
Outcome<json> ContainerRegistry::resume(const std::string& name) { return freeze(name, false); }

Outcome<json> ContainerRegistry::freeze(const std::string& name, bool frozen) {
  auto e = find(name);
  if (!e) return container_not_found(name);
  std::lock_guard op(e->op);
  if (runtime_state(name).status != (frozen ? "running" : "paused"))
    return conflict("container '" + name + "' is not " + (frozen ? "running" : "paused"));
  auto r = runc(name, {frozen ? "pause" : "resume", name});
  if (!r) return r.error();
  return info(*e);
}

Outcome<json> ContainerRegistry::remove(const std::string& name) {
  auto e = find(name);
  if (!e) return container_not_found(name);
  std::lock_guard op(e->op);
  const RuntimeState rs = runtime_state(name);
  if (rs.status == "running" || rs.status == "paused")
    return conflict("container '" + name + "' is " + rs.status + ": stop it first");
  if (!rs.status.empty()) cleanup_stopped(*e);
  std::error_code ec;
  fs::remove_all(dir_of(name), ec);
  if (ec) return runtime_failure("cannot remove " + dir_of(name) + ": " + ec.message());
  {
    std::lock_guard t(table_mutex_);
    table_.erase(name);
  }
  log_.info("container removed", {{"container", name}});
  return json{{"name", name}, {"deleted", true}};
}

Outcome<json> ContainerRegistry::exec(const std::string& name, const json& body) {
  auto e = find(name);
  if (!e) return container_not_found(name);
  Fields f(body, "request body");
  TRY(f.check_object());
  TRY(f.unknown({"command", "env", "workdir", "user", "timeout_seconds"}));
  std::vector<std::string> command, env;
  std::string workdir, user;
  double timeout = 60;
  TRY(f.strings("command", command));
  if (command.empty()) return f.missing("command");
  TRY(f.strings("env", env));
  TRY(f.string("workdir", workdir));
  TRY(f.string("user", user));
  TRY(f.number("timeout_seconds", timeout));
  if (!std::isfinite(timeout) || timeout <= 0 || timeout > 3600)
    return invalid("field 'timeout_seconds' must be between 0 and 3600", "invalid_argument");
  {
    std::lock_guard op(e->op);
    const std::string status = runtime_state(name).status;
    if (status != "running") return conflict("container '" + name + "' is not running");
  }
  std::vector<std::string> args = {"exec"};
  for (const auto& kv : env) args.insert(args.end(), {"--env", kv});
  if (!workdir.empty()) args.insert(args.end(), {"--cwd", workdir});
  if (!user.empty()) args.insert(args.end(), {"--user", user});
  args.push_back(name);
  args.insert(args.end(), command.begin(), command.end());
  // Not under the container's lock: a long exec must not block stop or other execs.
  args.insert(args.begin(), {"--root", runtime_root_});
  auto r = run_tool(runc_binary_, args, std::chrono::milliseconds(static_cast<long long>(timeout * 1000)));
  if (!r) return runtime_failure(r.error());
  if (r->timed_out) return ManagerError{ErrorKind::VmmFailure, "exec_timeout", "the command did not finish in time"};
  return json{{"exit_code", r->status}, {"stdout", r->out}, {"stderr", r->err}};
}

Outcome<std::string> ContainerRegistry::logs(const std::string& name, size_t tail_bytes) {
  auto e = find(name);
  if (!e) return container_not_found(name);
  return file_tail_bytes(dir_of(name) + "/output.log", tail_bytes);
}

Outcome<json> ContainerRegistry::update_limits(const std::string& name, const json& body) {
  auto e = find(name);
  if (!e) return container_not_found(name);
  std::lock_guard op(e->op);
  auto limits = parse_container_limits(body, e->def.limits);
  if (!limits) return limits.error();
  const std::string status = runtime_state(name).status;
  if (status == "running" || status == "paused") {
    std::vector<std::string> args = {"update"};
    for (auto& a : update_args(limits.value())) args.push_back(a);
    args.push_back(name);
    auto r = runc(name, args);
    if (!r) return r.error();
  }
  ContainerDefinition def = e->def;
  def.limits = limits.value();
  auto saved = write_json_atomic(dir_of(name) + "/container.json", to_json(def));
  if (!saved) return runtime_failure(saved.error());
  e->def = def;
  return json{{"limits", to_json(def.limits)}};
}

Outcome<ContainerConsole> ContainerRegistry::console(const std::string& name) {
  auto e = find(name);
  if (!e) return container_not_found(name);
  std::lock_guard op(e->op);
  if (runtime_state(name).status != "running") return conflict("container '" + name + "' is not running");
  return ContainerConsole{dir_of(name) + "/output.log", dir_of(name) + "/stdin"};
}

bool ContainerRegistry::image_in_use(const std::string& image) {
  std::lock_guard t(table_mutex_);
  for (auto& [n, e] : table_)
    if (e->def.image == image) return true;
  return false;
}

std::string ContainerRegistry::metrics_text() {
  std::vector<std::shared_ptr<Entry>> entries;
  {
    std::lock_guard t(table_mutex_);
    for (auto& [n, e] : table_) entries.push_back(e);
  }
  std::string cpu, mem, mem_limit, pids, up;
  for (auto& e : entries) {
    std::string name;
    {
      std::lock_guard op(e->op);
      if (!e->init) continue;
      name = e->def.name;
    }
    auto r = run_tool(runc_binary_, {"--root", runtime_root_, "events", "--stats", name}, 10s);
    if (!r || r->status != 0) continue;
    auto j = json::parse(r->out, nullptr, false);
    if (j.is_discarded() || !j.contains("data")) continue;
    const json& d = j["data"];
    const std::string label = "{container=\"" + name + "\"}";
    char buf[64];
    snprintf(buf, sizeof buf, "%.9f", d["cpu"]["usage"].value("total", 0.0) / 1e9);
    cpu += "vessel_container_cpu_seconds_total" + label + " " + buf + "\n";
    mem += "vessel_container_memory_bytes" + label + " " + std::to_string(d["memory"]["usage"].value("usage", 0ull)) + "\n";
    mem_limit += "vessel_container_memory_limit_bytes" + label + " " +
                 std::to_string(d["memory"]["usage"].value("limit", 0ull)) + "\n";
    pids += "vessel_container_pids" + label + " " + std::to_string(d["pids"].value("current", 0ull)) + "\n";
    up += "vessel_container_up" + label + " 1\n";
  }
  std::string out;
  auto family = [&](const char* name, const char* type, const char* help, const std::string& samples) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + samples;
  };
  family("vessel_container_up", "gauge", "1 for each running container", up);
  family("vessel_container_cpu_seconds_total", "counter", "CPU time of the container's cgroup", cpu);
  family("vessel_container_memory_bytes", "gauge", "memory charged to the container's cgroup", mem);
  family("vessel_container_memory_limit_bytes", "gauge", "memory limit of the container's cgroup", mem_limit);
  family("vessel_container_pids", "gauge", "processes in the container", pids);
  return out;
}

// Containers that exit on their own: reaped (we are their subreaper), recorded, cleaned.
void ContainerRegistry::watch_loop() {
  std::unique_lock lock(watch_mutex_);
  while (!watch_cv_.wait_for(lock, 500ms, [this] { return stopping_; })) {
    std::vector<std::shared_ptr<Entry>> entries;
    {
      std::lock_guard t(table_mutex_);
      for (auto& [n, e] : table_) entries.push_back(e);
    }
    lock.unlock();
    for (auto& e : entries) {
      std::unique_lock op(e->op, std::try_to_lock);  // busy: an action is handling it
      if (op.owns_lock()) reap_if_exited(*e);
    }
    lock.lock();
  }
}

}  // namespace vessel::manager
