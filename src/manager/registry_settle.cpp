// What the registry's watcher does for migrations that no action is following any more
// (docs/manager.md, *Migration between hosts*):
//  - a VM that arrived by `incoming` is confirmed once its VMM answers `status` with the VM
//    running, or removed (definition and directory) if its VMM ended before the VM arrived;
//  - a VM whose VMM ended while a migration was marked (the daemon died or restarted
//    meanwhile) is looked for at the destination it recorded: if it runs there it is removed
//    here, otherwise it stays, stopped, with a last_exit that says so.
#include <unistd.h>

#include "http/http_client.h"
#include "manager/control_client.h"
#include "manager/registry.h"

namespace vessel::manager {

using nlohmann::json;
using namespace std::chrono_literals;

void Registry::save_runtime_locked(Entry& e) {
  json j{{"pid", e.run->proc.pid},
         {"start_time", e.run->proc.start_time},
         {"control", state_.control_socket(e.def.name)},
         {"console", state_.console_socket(e.def.name)}};
  if (e.incoming) j["incoming"] = true;
  if (e.incoming && e.copies_disks) j["copies_disks"] = true;
  if (!e.migrating_to.empty()) {
    j["migrating_to"] = e.migrating_to;
    j["migrating_as"] = e.migrating_as;
  }
  (void)write_json_atomic(state_.runtime_path(e.def.name), j, false);
}

void Registry::settle_outgoing(const std::vector<std::shared_ptr<Entry>>& entries) {
  for (const auto& e : entries) {
    std::string to, as;
    {
      std::lock_guard data(e->data);
      if (e->removed || e->run || e->migrating_to.empty()) continue;
      to = e->migrating_to;
      as = e->migrating_as;
    }
    std::unique_lock op(e->op, std::try_to_lock);
    if (!op.owns_lock()) continue;  // migrate() itself is following it
    // Where did it go? A local name is in our own table; another daemon is asked.
    std::string state;
    auto target = peer_target(to);
    if (target && target->has_value()) {
      auto r = http::http_request(target.value().value(), "GET", "/v1/vms/" + as, {}, 10s);
      if (!r) continue;  // the destination is not reachable now: ask again later
      if (r->status == 200) state = json::parse(r->body, nullptr, false).value("state", "");
    } else if (auto there = find(as); there && running(*there)) {
      // Its VMM answers "status" once the VM runs in it (a receiving VMM has no VM yet).
      auto st = control_request(state_.control_socket(as), {{"op", "status"}}, 2s);
      state = st && st->value("ok", false) ? "running" : "waiting";
    }
    const std::string name = e->def.name;
    if (state == "running" || state == "paused") {
      {
        std::lock_guard lock(table_mutex_);
        table_.erase(name);
        e->removed = true;
      }
      if (e->def.cloud_init_seed.empty())
        (void)state_.remove_vm_dir(name);
      else
        unlink(state_.definition_path(name).c_str());
      log_.info("VM migrated while the daemon was away; it runs at the destination", {{"vm", name}, {"to", to}});
      continue;
    }
    {
      std::lock_guard data(e->data);
      const auto now = std::chrono::steady_clock::now();
      if (!e->not_there_since) e->not_there_since = now;
      if (now - *e->not_there_since < 10s) continue;
      e->not_there_since.reset();
      e->migrating_to.clear();
      e->migrating_as.clear();
      e->last_exit = "its VMM ended during a migration to " + to + ", and the VM does not run there";
    }
    unlink(state_.runtime_path(name).c_str());
    log_.warn("VMM ended during a migration the daemon did not see finish; the VM is stopped here",
              {{"vm", name}, {"to", to}});
  }
}

void Registry::settle_incoming(const std::vector<std::shared_ptr<Entry>>& entries) {
  for (const auto& e : entries) {
    bool waiting, alive;
    {
      std::lock_guard data(e->data);
      waiting = e->incoming && !e->removed;
      alive = e->run.has_value();
    }
    if (!waiting) continue;
    if (alive) {
      // The receiving VMM answers "status" once the VM runs in it (before, it has no VM).
      auto s = control_request(state_.control_socket(e->def.name), {{"op", "status"}}, 500ms);
      if (!s || !s->value("ok", false)) continue;
      if (e->copies_disks) adopt_copied_disks(*e);
      std::lock_guard data(e->data);
      e->incoming = false;
      if (e->run) save_runtime_locked(*e);
      log_.info("VM arrived by migration and runs here", {{"vm", e->def.name}});
      continue;
    }
    // Its VMM ended before the VM arrived: the source keeps the VM; nothing stays here.
    std::unique_lock op(e->op, std::try_to_lock);
    if (!op.owns_lock()) continue;  // an action (the incoming call itself) is on it
    {
      std::lock_guard lock(table_mutex_);
      if (e->removed) continue;
      table_.erase(e->def.name);
      e->removed = true;
    }
    (void)state_.remove_vm_dir(e->def.name);
    log_.warn("incoming migration abandoned; the VM stays at its source", {{"vm", e->def.name}, {"exit", e->last_exit}});
  }
}

}  // namespace vessel::manager
