// Registry::migrate and Registry::incoming: live migration under vesseld.
//  - To a local name (POST /v1/vms/{name}/migrate {"to": NEW}): the definition moves to NEW;
//    a VMM started with --incoming on a socket in NEW's directory receives the VM.
//  - To another vesseld ({"to": "unix:DAEMON_SOCKET"[, "name": NEW]}): that daemon's
//    POST /v1/vms/{NEW}/incoming creates the VM from our definition and starts the receiving
//    VMM, and answers where it listens.
// Either way the running VMM's "migrate" op sends the VM; when the source VMM reports
// completion (it then exits with status 5) the old entry is removed. Any failure removes the
// new VM and leaves the old one running where it was.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include "api/http_client.h"
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
Outcome<json> remote_call(const std::string& socket, const std::string& method, const std::string& path,
                          const json& body = json::object()) {
  auto r = api::http_request(socket, method, path, body.dump(), 30s);
  if (!r) return ManagerError{ErrorKind::VmmFailure, "migration_failed", "the destination daemon at " + socket + ": " + r.error()};
  const json j = json::parse(r->body, nullptr, false);
  if (r->status >= 300) {
    const json err = j.is_object() && j.contains("error") && j["error"].is_object() ? j["error"] : json::object();
    const std::string msg = "the destination daemon refused: " + err.value("message", r->body);
    const std::string code = err.value("code", std::string("migration_failed"));
    if (r->status == 409) return conflict(msg, code);
    if (r->status == 400) return invalid(msg, code);
    return ManagerError{ErrorKind::VmmFailure, "migration_failed", msg};
  }
  return j;
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

Outcome<std::string> Registry::start_incoming(Entry& d) {
  const std::string name = d.def.name;
  const std::string ctl = state_.control_socket(name), con = state_.console_socket(name);
  const std::string incoming = state_.vm_dir(name) + "/incoming";
  std::vector<std::string> args = {"--incoming", "unix:" + incoming, "--control", ctl, "--console-socket", con};
  const auto run = run_options(d.def);
  args.insert(args.end(), run.begin(), run.end());
  if (options_.ksm) args.push_back("--ksm");
  uid_t uid = 0;
  auto jail = jail_for(d.def, uid);
  if (!jail) return jail.error();
  args.insert(args.end(), jail->begin(), jail->end());
  if (!jail->empty()) {
    // The jail holds what the stream's machine names: its disks (checked against the
    // source's), and the kernel, initrd and firmware a guest reboot reloads.
    const std::vector<std::string> all = to_vmm_args(d.def);
    for (size_t i = 0; i + 1 < all.size(); ++i) {
      if (all[i] == "--drive") args.insert(args.end(), {all[i], all[i + 1]});
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
  }
  release_starting_uid(uid);
  (void)write_json_atomic(state_.runtime_path(name),
                          {{"pid", proc->pid}, {"start_time", proc->start_time}, {"control", ctl}, {"console", con},
                           {"jail_uid", uid}},
                          false);
  // Ready once it listens for the stream.
  for (const auto deadline = Clock::now() + options_.start_timeout; access(incoming.c_str(), F_OK) != 0;) {
    if (!running(d)) return ManagerError{ErrorKind::VmmFailure, "start_failed", "the receiving VMM exited during start"};
    if (Clock::now() >= deadline)
      return ManagerError{ErrorKind::VmmFailure, "start_failed", "the receiving VMM did not become ready in time"};
    std::this_thread::sleep_for(5ms);
  }
  log_.info("VMM waiting for a migration", {{"vm", name}, {"pid", proc->pid}});
  return "unix:" + incoming;
}

Outcome<json> Registry::incoming(const std::string& name, const json& body) {
  if (!body.contains("definition") || !body["definition"].is_object())
    return invalid("missing required field 'definition' (the VM's stored definition)", "missing_field");
  json stored = body["definition"];
  stored["name"] = name;
  auto def = definition_from_store(stored);
  if (!def) return def.error();
  def->snapshot.clear();
  auto d = add_incoming_entry(def.value());
  if (!d) return d.error();
  std::lock_guard op(d.value()->op);
  auto address = start_incoming(*d.value());
  if (!address) {
    drop_incoming(*d.value());
    return address.error();
  }
  return json{{"name", name}, {"incoming", address.value()}};
}

Outcome<json> Registry::migrate(const std::string& name, const json& body) {
  if (!body.contains("to") || !body["to"].is_string()) return invalid("missing required field 'to'", "missing_field");
  const std::string to = body["to"];
  const bool remote = to.rfind("unix:", 0) == 0;
  const std::string new_name = remote ? body.value("name", name) : to;
  if (!remote && body.contains("name"))
    return invalid("'name' applies to a move to another daemon (\"to\": \"unix:SOCKET\")", "invalid_argument");
  if (!valid_vm_name(new_name))
    return invalid("'" + new_name + "' is neither a VM name nor a daemon address (unix:SOCKET)", "invalid_name");
  if (!remote && new_name == name) return invalid("a VM cannot migrate onto itself", "invalid_name");
  json request{{"op", "migrate"}};
  for (const char* key : {"downtime_ms", "bandwidth", "compress"})
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
  const std::string daemon = remote ? to.substr(5) : std::string();
  auto abandon = [&](const ManagerError& error) -> Outcome<json> {
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
    auto r = remote_call(daemon, "POST", "/v1/vms/" + new_name + "/incoming", {{"definition", to_json(def)}});
    if (!r) return r.error();
    address = r->value("incoming", "");
  } else {
    auto added = add_incoming_entry(def);
    if (!added) return added.error();
    d = added.value();
    std::lock_guard dest_op(d->op);
    auto a = start_incoming(*d);
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
  const auto started = Clock::now();
  if (auto r = control(*e, request, 10s); !r) return abandon(r.error());
  json status;
  for (;;) {  // the source reports its progress; it exits once the destination runs the VM
    auto s = control_request(state_.control_socket(name), {{"op", "migrate-status"}}, 5s);
    if (s && s->is_object()) status = s.value();
    const std::string phase = status.value("phase", "");
    if (phase == "completed") break;
    if (phase == "failed" || phase == "cancelled")
      return abandon({ErrorKind::VmmFailure, "migration_failed", status.value("error", std::string("failed"))});
    if (!s && !running(*e)) return abandon({ErrorKind::VmmFailure, "migration_failed", "the source VMM exited"});
    if (Clock::now() - started > kMigrationTimeout)
      return abandon({ErrorKind::VmmFailure, "migration_failed", "the migration did not finish in time"});
    std::this_thread::sleep_for(20ms);  // polling the VMM's progress
  }
  // The VM runs on the destination now: the source's entry goes (its VMM exits by itself).
  wait_gone(*e, 10s);
  {
    std::lock_guard lock(table_mutex_);
    table_.erase(name);
    e->removed = true;
  }
  if (e->def.cloud_init_seed.empty())
    (void)state_.remove_vm_dir(name);
  else  // the moved VM still reads its cloud-init seed from there
    unlink(state_.definition_path(name).c_str());
  log_.info("VM migrated", {{"vm", name}, {"to", to}, {"downtime_ms", status.value("downtime_ms", 0.0)}});
  json out{{"name", new_name},
           {"from", name},
           {"downtime_ms", status.value("downtime_ms", 0.0)},
           {"total_ms", status.value("total_ms", 0.0)},
           {"rounds", status.value("rounds", 0)},
           {"bytes_sent", status.value("bytes_sent", uint64_t{0})}};
  if (remote) {
    out["daemon"] = daemon;
    auto vm = remote_call(daemon, "GET", "/v1/vms/" + new_name);
    out["vm"] = vm ? vm.value() : json{{"name", new_name}, {"state", "running"}, {"cpus", def.cpus},
                                       {"memory_bytes", def.memory_bytes}, {"config", to_json(def)}};
  } else {
    out["vm"] = info(*d);
  }
  return out;
}

}  // namespace vessel::manager
