// Registry::migrate and Registry::incoming: live migration under vesseld.
//  - To a local name (POST /v1/vms/{name}/migrate {"to": NEW}): the definition moves to NEW;
//    a VMM started with --incoming on a socket in NEW's directory receives the VM.
//  - To another vesseld ({"to": "unix:DAEMON_SOCKET" or "https://HOST:PORT"[, "name": NEW]}):
//    that daemon's POST /v1/vms/{NEW}/incoming creates the VM from our definition and starts
//    the receiving VMM, and answers where it listens (a Unix socket, or over https a TCP
//    port on the address we reached it at). Over https we are a client with this host's
//    certificate (vesseld --tls-dir).
// Either way the running VMM's "migrate" op sends the VM; when the source VMM reports
// completion (it then exits with status 5) the old entry is removed. Any failure removes the
// new VM and leaves the old one running where it was.
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "http/http_client.h"
#include "manager/control_client.h"
#include "manager/registry.h"

namespace vessel::manager {

using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kMigrationTimeout = 600s;

// How to run the VM, from the definition's VMM arguments: the machine itself comes from the
// stream, only these may differ between the two VMMs.
std::vector<std::string> run_options(const VmDefinition& def) {
  const std::vector<std::string> all = to_vmm_args(def);
  std::vector<std::string> out;
  for (size_t i = 0; i + 1 < all.size(); ++i)
    if (all[i] == "--engine" || all[i] == "--hugepages") out.insert(out.end(), {all[i], all[i + 1]});
  return out;
}

// One request to another vesseld; its error, with the kind its status says, when it answers one.
Outcome<json> remote_call(const http::Target& daemon, const std::string& method, const std::string& path,
                          const json& body = json::object()) {
  auto r = http::http_request(daemon, method, path, body.dump(), 30s);
  if (!r)
    return ManagerError{ErrorKind::VmmFailure, "migration_failed",
                        "the destination daemon at " + daemon.text() + ": " + r.error()};
  const json j = json::parse(r->body, nullptr, false);
  if (r->status >= 300) {
    const json err = j.is_object() && j.contains("error") && j["error"].is_object() ? j["error"] : json::object();
    const std::string msg = "the destination daemon refused: " + err.value("message", r->body);
    const std::string code = err.value("code", std::string("migration_failed"));
    if (r->status == 409) return conflict(msg, code);
    if (r->status == 400) return invalid(msg, code);
    if (r->status == 403) return ManagerError{ErrorKind::VmmFailure, "migration_failed", msg + " (403: this host's certificate may not)"};
    return ManagerError{ErrorKind::VmmFailure, "migration_failed", msg};
  }
  return j;
}

// A TCP port free on `host` now (the receiving VMM binds it a moment later).
Result<unsigned> free_port(const std::string& host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), "0", &hints, &found) != 0 || !found) return Error{"not a numeric address: " + host};
  const int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const bool ok = fd >= 0 && bind(fd, found->ai_addr, found->ai_addrlen) == 0;
  freeaddrinfo(found);
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  if (!ok || getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) close(fd);
    return Error{"no free TCP port on " + host + ": " + strerror(errno)};
  }
  close(fd);
  return static_cast<unsigned>(ntohs(a.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&a)->sin6_port
                                                             : reinterpret_cast<sockaddr_in*>(&a)->sin_port));
}

// The PATH of a VMM "--drive file=PATH,..." argument.
std::string drive_file(const std::string& arg) {
  if (arg.rfind("file=", 0) != 0) return {};
  return arg.substr(5, arg.find(',') == std::string::npos ? std::string::npos : arg.find(',') - 5);
}

bool log_says(const std::string& path, const std::string& text) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str().find(text) != std::string::npos;
}

}  // namespace

Outcome<std::shared_ptr<Registry::Entry>> Registry::add_incoming_entry(const VmDefinition& def) {
  if (state_.vm_dir(def.name).size() + sizeof "/incoming" > 108)
    return invalid("the state directory path is too long for the sockets of VM '" + def.name + "'", "invalid_name");
  auto d = std::make_shared<Entry>();
  d->def = def;
  std::lock_guard lock(table_mutex_);
  if (table_.count(def.name)) return conflict("a VM named '" + def.name + "' already exists", "already_exists");
  if (auto ok = state_.create_vm_dir(def.name); !ok) return ManagerError{ErrorKind::VmmFailure, "state_error", ok.error()};
  if (auto ok = save_definition(def); !ok) {
    (void)state_.remove_vm_dir(def.name);
    return ManagerError{ErrorKind::VmmFailure, "state_error", ok.error()};
  }
  table_[def.name] = d;
  return d;
}

void Registry::drop_incoming(Entry& d) {
  {
    std::lock_guard data(d.data);
    check_exit_locked(d);
    if (d.run) kill_vmm(*d.run);
  }
  wait_gone(d, 10s);
  {
    std::lock_guard lock(table_mutex_);
    table_.erase(d.def.name);
    d.removed = true;
  }
  (void)state_.remove_vm_dir(d.def.name);
}

Outcome<std::string> Registry::start_incoming(Entry& d, const std::string& tcp_host, bool copy_disks) {
  const std::string name = d.def.name;
  const std::string ctl = state_.control_socket(name), con = state_.console_socket(name);
  const std::string incoming = state_.vm_dir(name) + "/incoming";
  std::string address = "unix:" + incoming;
  if (!tcp_host.empty()) {
    auto port = free_port(tcp_host);
    if (!port) return ManagerError{ErrorKind::VmmFailure, "start_failed", port.error()};
    const bool v6 = tcp_host.find(':') != std::string::npos;
    address = "tcp:" + (v6 ? "[" + tcp_host + "]" : tcp_host) + ":" + std::to_string(port.value());
  }
  std::vector<std::string> args = {"--incoming", address, "--control", ctl, "--console-socket", con};
  // The copies go into the VM's own directory (the VMM removes them if the VM does not arrive).
  if (copy_disks) args.insert(args.end(), {"--migrate-disks-to", state_.vm_dir(name)});
  const auto run = run_options(d.def);
  args.insert(args.end(), run.begin(), run.end());
  if (options_.ksm) args.push_back("--ksm");
  uid_t uid = 0;
  auto jail = jail_for(d.def, uid);
  if (!jail) return jail.error();
  args.insert(args.end(), jail->begin(), jail->end());
  if (!jail->empty()) {
    // The jail holds what the stream's machine names: its disks (checked against the
    // source's), its shared directories, and the kernel, initrd and firmware a guest reboot reloads.
    const std::vector<std::string> all = to_vmm_args(d.def);
    for (size_t i = 0; i + 1 < all.size(); ++i) {
      // Copied disks need not exist here; the jail binds those that do (and their chains).
      const bool copied_away = all[i] == "--drive" && copy_disks && access(drive_file(all[i + 1]).c_str(), F_OK) != 0;
      if ((all[i] == "--drive" || all[i] == "--share") && !copied_away) args.insert(args.end(), {all[i], all[i + 1]});
      if (all[i] == "--kernel" || all[i] == "--initrd" || all[i] == "--bios")
        args.insert(args.end(), {"--sandbox-bind", all[i + 1]});
    }
  }
  auto proc = spawn_detached(options_.vmm_binary, args, state_.log_path(name));
  if (!proc) {
    release_starting_uid(uid);
    return ManagerError{ErrorKind::VmmFailure, "start_failed", proc.error()};
  }
  {
    std::lock_guard data(d.data);
    d.run = Runtime{proc.value(), true, uid};
    d.copies_disks = copy_disks;
  }
  release_starting_uid(uid);
  (void)write_json_atomic(state_.runtime_path(name),
                          {{"pid", proc->pid}, {"start_time", proc->start_time}, {"control", ctl}, {"console", con},
                           {"incoming", true},
                           {"copies_disks", copy_disks},
                           {"jail_uid", uid}},
                          false);
  // Ready once it listens for the stream: its Unix socket exists, or it says so in its log
  // (written right after listen() on TCP).
  auto listening = [&] {
    return tcp_host.empty() ? access(incoming.c_str(), F_OK) == 0
                            : log_says(state_.log_path(name), "waiting for an incoming migration on");
  };
  for (const auto deadline = Clock::now() + options_.start_timeout; !listening();) {
    if (!running(d)) return ManagerError{ErrorKind::VmmFailure, "start_failed", "the receiving VMM exited during start"};
    if (Clock::now() >= deadline)
      return ManagerError{ErrorKind::VmmFailure, "start_failed", "the receiving VMM did not become ready in time"};
    std::this_thread::sleep_for(5ms);
  }
  log_.info("VMM waiting for a migration", {{"vm", name}, {"pid", proc->pid}, {"address", address}});
  return address;
}

Outcome<json> Registry::incoming(const std::string& name, const json& body, const std::string& tcp_host) {
  if (!body.contains("definition") || !body["definition"].is_object())
    return invalid("missing required field 'definition' (the VM's stored definition)", "missing_field");
  json stored = body["definition"];
  stored["name"] = name;
  auto def = definition_from_store(stored);
  if (!def) return def.error();
  def->snapshot.clear();
  if (body.contains("migrate_disks") && !body["migrate_disks"].is_boolean())
    return invalid("field 'migrate_disks' must be true or false", "wrong_type");
  const bool copy_disks = body.value("migrate_disks", false);
  auto d = add_incoming_entry(def.value());
  if (!d) return d.error();
  std::lock_guard op(d.value()->op);
  auto address = start_incoming(*d.value(), tcp_host, copy_disks);
  if (!address) {
    drop_incoming(*d.value());
    return address.error();
  }
  {
    std::lock_guard data(d.value()->data);
    d.value()->incoming = true;  // until the VM runs here (settle_incoming)
  }
  return json{{"name", name}, {"incoming", address.value()}};
}

Outcome<json> Registry::migrate(const std::string& name, const json& body) {
  if (!body.contains("to") || !body["to"].is_string()) return invalid("missing required field 'to'", "missing_field");
  const std::string to = body["to"];
  auto target = peer_target(to);
  if (!target) return target.error();
  const bool remote = target->has_value();
  if (body.contains("name") && !body["name"].is_string()) return invalid("field 'name' must be a string", "wrong_type");
  const std::string new_name = remote ? body.value("name", name) : to;
  if (!remote && body.contains("name"))
    return invalid("'name' applies to a move to another daemon (\"to\": \"unix:SOCKET\" or \"https://HOST:PORT\")",
                   "invalid_argument");
  if (!valid_vm_name(new_name))
    return invalid("'" + new_name + "' is neither a VM name nor a daemon address (unix:SOCKET, https://HOST:PORT)",
                   "invalid_name");
  if (!remote && new_name == name) return invalid("a VM cannot migrate onto itself", "invalid_name");
  if (body.contains("migrate_disks") && !body["migrate_disks"].is_boolean())
    return invalid("field 'migrate_disks' must be true or false", "wrong_type");
  const bool copy_disks = body.value("migrate_disks", false);
  json request{{"op", "migrate"}};
  for (const char* key : {"downtime_ms", "bandwidth", "compress", "migrate_disks"})
    if (body.contains(key)) request[key] = body[key];
  auto e = find(name);
  if (!e) return not_found(name);
  std::lock_guard op(e->op);
  if (e->removed) return not_found(name);
  if (!running(*e)) return conflict("VM '" + name + "' is not running");

  VmDefinition def = e->def;
  def.name = new_name;
  def.snapshot.clear();  // the VM comes from the stream, not from where the source started
  std::shared_ptr<Entry> d;  // the new VM, when it is ours
  const http::Target daemon = remote ? target.value().value() : http::Target{};
  auto abandon = [&](const ManagerError& error) -> Outcome<json> {
    {
      std::lock_guard data(e->data);
      e->migrating_to.clear();
      e->migrating_as.clear();
      check_exit_locked(*e);
      if (e->run) save_runtime_locked(*e);
    }
    if (d) {
      drop_incoming(*d);
    } else if (remote) {  // the other daemon's VM goes too (its VMM exits by itself when the stream breaks)
      (void)remote_call(daemon, "POST", "/v1/vms/" + new_name + "/kill");
      (void)remote_call(daemon, "DELETE", "/v1/vms/" + new_name);
    }
    log_.warn("VM migration failed; it runs where it was", {{"vm", name}, {"to", to}, {"error", error.message}});
    return error;
  };
  std::string address;
  if (remote) {
    json incoming_body{{"definition", to_json(def)}};
    if (copy_disks) incoming_body["migrate_disks"] = true;
    auto r = remote_call(daemon, "POST", "/v1/vms/" + new_name + "/incoming", incoming_body);
    if (!r) return r.error();
    address = r->value("incoming", "");
  } else {
    auto added = add_incoming_entry(def);
    if (!added) return added.error();
    d = added.value();
    std::lock_guard dest_op(d->op);
    auto a = start_incoming(*d, {}, copy_disks);
    if (!a) return abandon(a.error());
    address = a.value();
  }
  // A jailed source sees only its own directory: it sends to a relay there, which the
  // daemon connects to the destination's socket.
  uid_t source_uid = 0;
  {
    std::lock_guard data(e->data);
    if (e->run) source_uid = e->run->jail_uid;
  }
  std::unique_ptr<MigrationRelay> relay;
  if (source_uid && address.rfind("unix:", 0) == 0) {
    const std::string local = state_.vm_dir(name) + "/migrate-out";
    auto r = MigrationRelay::start(local, source_uid, address.substr(5));
    if (!r) return abandon({ErrorKind::VmmFailure, "migration_failed", r.error()});
    relay = std::move(r.value());
    address = "unix:" + local;
  }
  request["to"] = address;
  {
    std::lock_guard data(e->data);
    e->migrating_to = to;
    e->migrating_as = new_name;
    if (e->run) save_runtime_locked(*e);
  }
  const auto started = Clock::now();
  if (auto r = control(*e, request, 10s); !r) return abandon(r.error());
  auto arrived = [&] {
    if (d) {
      auto st = control_request(state_.control_socket(new_name), {{"op", "status"}}, 5s);
      return st && st->value("ok", false);
    }
    auto vm = remote_call(daemon, "GET", "/v1/vms/" + new_name);
    return vm && (vm->value("state", "") == "running" || vm->value("state", "") == "paused");
  };
  json status;
  for (;;) {  // the source reports its progress; it exits once the destination runs the VM
    auto s = control_request(state_.control_socket(name), {{"op", "migrate-status"}}, 5s);
    if (s && s->is_object()) status = s.value();
    const std::string phase = status.value("phase", "");
    if (phase == "completed") break;
    if (phase == "failed" || phase == "cancelled")
      return abandon({ErrorKind::VmmFailure, "migration_failed", status.value("error", std::string("failed"))});
    if (!s && !running(*e)) {
      // Gone without us reading "completed": it exits once its final report has been read,
      // and another reader (GET .../migration, a progress bar) may have read it first. Only
      // the destination can tell whether the VM runs there; if it does, the move succeeded.
      if (!arrived()) return abandon({ErrorKind::VmmFailure, "migration_failed", "the source VMM exited"});
      status["phase"] = "completed";
      break;
    }
    if (Clock::now() - started > kMigrationTimeout)
      return abandon({ErrorKind::VmmFailure, "migration_failed", "the migration did not finish in time"});
    std::this_thread::sleep_for(20ms);  // polling the VMM's progress
  }
  // GO is sent; the destination resumes the VM a moment later (until then its VMM answers
  // "no virtual machine"). Answer once it runs there, so the caller's next look finds it running.
  for (const auto deadline = Clock::now() + 10s; !arrived() && Clock::now() < deadline;)
    std::this_thread::sleep_for(10ms);  // polling the destination's start
  // The VM runs on the destination now: the source's entry goes. Its VMM exits by itself
  // once someone has read its final report (else after 2 s): read it, so it goes at once.
  for (const auto deadline = Clock::now() + 10s; running(*e) && Clock::now() < deadline;) {
    (void)control_request(state_.control_socket(name), {{"op", "migrate-status"}}, 1s);
    std::this_thread::sleep_for(5ms);  // polling the exit of a process we may not wait on (adopted)
  }
  {
    std::lock_guard lock(table_mutex_);
    table_.erase(name);
    e->removed = true;
  }
  if (e->def.cloud_init_seed.empty())
    (void)state_.remove_vm_dir(name);
  else {  // the moved VM still reads its cloud-init seed from there
    unlink(state_.definition_path(name).c_str());
    unlink(state_.runtime_path(name).c_str());
  }
  log_.info("VM migrated", {{"vm", name}, {"to", to}, {"downtime_ms", status.value("downtime_ms", 0.0)}});
  json out{{"name", new_name},
           {"from", name},
           {"downtime_ms", status.value("downtime_ms", 0.0)},
           {"total_ms", status.value("total_ms", 0.0)},
           {"rounds", status.value("rounds", 0)},
           {"bytes_sent", status.value("bytes_sent", uint64_t{0})}};
  if (remote) {
    out["daemon"] = daemon.text();
    auto vm = remote_call(daemon, "GET", "/v1/vms/" + new_name);
    out["vm"] = vm ? vm.value() : json{{"name", new_name}, {"state", "running"}, {"cpus", def.cpus},
                                       {"memory_bytes", def.memory_bytes}, {"config", to_json(def)}};
  } else {
    if (copy_disks) adopt_copied_disks(*d);
    out["vm"] = info(*d);
  }
  if (copy_disks) out["disk_bytes_sent"] = status.value("disk_bytes_sent", uint64_t{0});
  return out;
}

void Registry::adopt_copied_disks(Entry& d) {
  auto s = control_request(state_.control_socket(d.def.name), {{"op", "status"}}, 5s);
  if (!s || !s.value().contains("drives") || !s.value()["drives"].is_array()) return;
  const json drives = s.value()["drives"];
  std::lock_guard data(d.data);
  if (!d.copies_disks) return;
  const std::string dir = state_.vm_dir(d.def.name) + "/";
  for (size_t i = 0; i < drives.size() && i < d.def.drives.size(); ++i) {
    const std::string file = drives[i].is_object() ? drives[i].value("file", std::string()) : std::string();
    if (file.rfind(dir, 0) == 0) d.def.drives[i].file = file;  // a copy; read-only drives stay shared
  }
  d.copies_disks = false;
  (void)save_definition(d.def);
  log_.info("VM's disks copied into its directory", {{"vm", d.def.name}});
}

Outcome<json> Registry::migration_progress(const std::string& name) {
  auto e = find(name);
  if (!e || e->removed) return not_found(name);
  if (!running(*e)) return conflict("VM '" + name + "' is not running");
  auto s = control_request(state_.control_socket(name), {{"op", "migrate-status"}}, 5s);
  if (!s) return ManagerError{ErrorKind::VmmFailure, "vmm_unreachable", s.error()};
  if (!s->value("ok", false))
    return ManagerError{ErrorKind::Unsupported, "not_supported", s->value("error", std::string("the VMM cannot report"))};
  json out = s.value();
  out.erase("ok");
  out["name"] = name;
  return out;
}

Outcome<std::optional<http::Target>> Registry::peer_target(const std::string& to) {
  if (to.rfind("unix:", 0) == 0) return std::optional<http::Target>(http::unix_target(to.substr(5)));
  if (!http::is_https_url(to)) return std::optional<http::Target>();
  if (!options_.peer_tls)
    return invalid("this daemon has no TLS identity to reach " + to + " with (start vesseld with --tls-dir)",
                   "invalid_argument");
  auto t = http::https_target(to, options_.peer_tls);
  if (!t) return invalid(t.error(), "invalid_argument");
  return std::optional<http::Target>(t.value());
}

}  // namespace vessel::manager
