// Registry::migrate: a same-host live migration by local name (POST /v1/vms/{name}/migrate
// {"to": NEW_NAME}). The definition moves to NEW_NAME; a VMM started with --incoming on a
// socket in NEW_NAME's directory receives the VM from the running one, which its "migrate"
// op drives; when the source VMM reports completion (and exits with status 5) the old entry
// is removed. Any failure removes the new entry and leaves the VM running where it was.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

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

}  // namespace

Outcome<json> Registry::migrate(const std::string& name, const json& body) {
  if (!body.contains("to") || !body["to"].is_string()) return invalid("missing required field 'to'", "missing_field");
  const std::string to = body["to"];
  if (!valid_vm_name(to))
    return invalid("'" + to + "' is not a VM name on this host (moves to another host are not supported yet)",
                   "invalid_name");
  if (to == name) return invalid("a VM cannot migrate onto itself", "invalid_name");
  if (state_.vm_dir(to).size() + sizeof "/incoming" > 108)
    return invalid("the state directory path is too long for the sockets of VM '" + to + "'", "invalid_name");
  json request{{"op", "migrate"}};
  for (const char* key : {"downtime_ms", "bandwidth", "compress"})
    if (body.contains(key)) request[key] = body[key];
  auto e = find(name);
  if (!e) return not_found(name);
  std::lock_guard op(e->op);
  if (e->removed) return not_found(name);
  if (!running(*e)) return conflict("VM '" + name + "' is not running");

  // The destination entry, with the definition under its new name.
  VmDefinition def = e->def;
  def.name = to;
  def.snapshot.clear();  // the VM comes from the stream, not from where the source started
  auto d = std::make_shared<Entry>();
  d->def = def;
  {
    std::lock_guard lock(table_mutex_);
    if (table_.count(to)) return conflict("a VM named '" + to + "' already exists", "already_exists");
    if (auto ok = state_.create_vm_dir(to); !ok) return ManagerError{ErrorKind::VmmFailure, "state_error", ok.error()};
    if (auto ok = save_definition(def); !ok) {
      (void)state_.remove_vm_dir(to);
      return ManagerError{ErrorKind::VmmFailure, "state_error", ok.error()};
    }
    table_[to] = d;
  }
  std::lock_guard dest_op(d->op);
  auto abandon = [&](ManagerError error) -> Outcome<json> {
    {
      std::lock_guard data(d->data);
      check_exit_locked(*d);
      if (d->run) ::kill(d->run->proc.pid, SIGKILL);
    }
    wait_gone(*d, 10s);
    {
      std::lock_guard lock(table_mutex_);
      table_.erase(to);
      d->removed = true;
    }
    (void)state_.remove_vm_dir(to);
    log_.warn("VM migration failed; it runs where it was", {{"vm", name}, {"to", to}, {"error", error.message}});
    return error;
  };
  const std::string ctl = state_.control_socket(to), con = state_.console_socket(to);
  const std::string incoming = state_.vm_dir(to) + "/incoming";
  std::vector<std::string> args = {"--incoming", "unix:" + incoming, "--control", ctl, "--console-socket", con};
  const auto run = run_options(def);
  args.insert(args.end(), run.begin(), run.end());
  if (options_.ksm) args.push_back("--ksm");
  auto proc = spawn_detached(options_.vmm_binary, args, state_.log_path(to));
  if (!proc) return abandon(ManagerError{ErrorKind::VmmFailure, "start_failed", proc.error()});
  {
    std::lock_guard data(d->data);
    d->run = Runtime{proc.value(), true};
  }
  (void)write_json_atomic(state_.runtime_path(to),
                          {{"pid", proc->pid}, {"start_time", proc->start_time}, {"control", ctl}, {"console", con}},
                          false);
  // Ready once it listens for the stream.
  for (const auto deadline = Clock::now() + options_.start_timeout; access(incoming.c_str(), F_OK) != 0;) {
    if (!running(*d)) return abandon({ErrorKind::VmmFailure, "start_failed", "the destination VMM exited during start"});
    if (Clock::now() >= deadline)
      return abandon({ErrorKind::VmmFailure, "start_failed", "the destination VMM did not become ready in time"});
    std::this_thread::sleep_for(5ms);
  }
  request["to"] = "unix:" + incoming;
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
    std::this_thread::sleep_for(20ms);
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
  json out{{"name", to},
           {"from", name},
           {"downtime_ms", status.value("downtime_ms", 0.0)},
           {"total_ms", status.value("total_ms", 0.0)},
           {"rounds", status.value("rounds", 0)},
           {"bytes_sent", status.value("bytes_sent", uint64_t{0})}};
  out["vm"] = info(*d);
  return out;
}

}  // namespace vessel::manager
