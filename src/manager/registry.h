// The VM registry: every VM definition in the state directory, the VMM process of each
// running VM, and the actions on them. Each running VM is its own detached vessel-vmm
// process; the registry reaps its own children and polls adopted ones (from an earlier
// daemon) by pid + start time. Thread-safe: a per-VM mutex serialises actions on one VM,
// a short per-VM data lock guards its fields, a registry lock guards the table.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "agent/qga_client.h"
#include "http/http_client.h"
#include "http/tls_context.h"
#include "manager/event_log.h"
#include "manager/manager_error.h"
#include "manager/process_info.h"
#include "manager/state_dir.h"
#include "manager/vm_definition.h"
#include "manager/vmm_jail.h"

namespace vessel::manager {

struct RegistryOptions {
  std::string vmm_binary;  // path of vessel-vmm
  std::chrono::milliseconds start_timeout{30000};
  bool ksm = false;  // VMMs offer guest RAM to KSM (vesseld --ksm)
  // Named networks (NetworkRegistry): where their switches live, and which names exist.
  std::string networks_dir;
  std::function<bool(const std::string&)> network_exists;
  // This host's client identity for other daemons (vesseld --tls-dir): migration to https://.
  std::shared_ptr<http::TlsContext> peer_tls;
  SandboxSettings sandbox;  // VMMs run jailed unless turned off (vesseld --no-sandbox, "sandbox": false)
};

class Registry {
 public:
  static Result<std::unique_ptr<Registry>> open(StateDir state, RegistryOptions options, EventLog& log);
  ~Registry();

  // Starts every VM with autostart that is not running (after re-adoption).
  void autostart();

  Outcome<nlohmann::json> create(const nlohmann::json& body);
  nlohmann::json list();
  Outcome<nlohmann::json> get(const std::string& name);
  Outcome<nlohmann::json> start(const std::string& name);
  // Asks the guest to power off (guest agent, else SysRq, else SIGTERM to the VMM) and waits
  // `timeout`; then kills it if `force`, else answers 409 still_running and leaves it running.
  Outcome<nlohmann::json> stop(const std::string& name, std::chrono::milliseconds timeout, bool force = true);
  Outcome<nlohmann::json> kill(const std::string& name);
  Outcome<nlohmann::json> pause(const std::string& name);
  Outcome<nlohmann::json> resume(const std::string& name);
  Outcome<nlohmann::json> snapshot(const std::string& name, const std::string& path);
  // Live migration (registry_migrate.cpp): to a new name on this host, or to another daemon.
  Outcome<nlohmann::json> migrate(const std::string& name, const nlohmann::json& body);
  // The VMM's report on the VM's outgoing migration (phase, rounds, bytes, dirty rate); read
  // while migrate() runs, so it does not wait for the VM's action lock.
  Outcome<nlohmann::json> migration_progress(const std::string& name);
  // The receiving end of a move from another daemon: VM `name` from the definition sent, its
  // VMM waiting for the stream; answers where it listens: on TCP at tcp_host when given (the
  // request came over TLS), else on a Unix socket in the VM's directory.
  Outcome<nlohmann::json> incoming(const std::string& name, const nlohmann::json& body, const std::string& tcp_host = {});
  Outcome<nlohmann::json> update_limits(const std::string& name, const nlohmann::json& body);
  Outcome<nlohmann::json> remove(const std::string& name);
  // Through the guest agent (registry_agent.cpp): qemu-ga in the guest, over the VM's vsock.
  // exec: {"command": [...], "env"?, "input"?, "timeout_seconds"?} -> exit_code, stdout, stderr.
  Outcome<nlohmann::json> exec(const std::string& name, const nlohmann::json& body);
  // Up to `length` bytes of guest file `path` from `offset`; `eof` says whether it ended there.
  Outcome<std::string> read_guest_file(const std::string& name, const std::string& path, uint64_t offset, uint64_t length,
                                       bool& eof);
  Outcome<nlohmann::json> write_guest_file(const std::string& name, const std::string& path, const std::string& data,
                                           bool append);
  // The console socket of a running VM (console attach relays to it).
  Outcome<std::string> console_socket(const std::string& name);
  // The VMs whose definitions attach to network `network`.
  std::vector<std::string> vms_on_network(const std::string& network);
  // Prometheus text exposition of every running VM.
  std::string metrics_text();

 private:
  struct Runtime {
    ProcessId proc;
    bool child = false;  // started by this daemon (reaped with waitpid) or adopted (polled)
    uid_t jail_uid = 0;  // the jailed VMM's uid; 0 = not jailed
  };
  struct Entry {
    std::mutex op;    // held for a whole action
    std::mutex data;  // short: guards the fields below
    VmDefinition def;
    std::optional<Runtime> run;
    std::string last_exit;
    bool removed = false;
    // Created by POST .../incoming and not yet running the VM it waits for: if its VMM exits
    // first (the source failed, or its daemon died), the watcher removes it (runtime.json
    // keeps the mark across daemon restarts).
    bool incoming = false;
    // Its receiving VMM makes its own copies of the disks (migrate_disks) in the VM's
    // directory: once the VM runs, the definition is pointed at them (adopt_copied_disks).
    bool copies_disks = false;
    // Set while migrate() has told this VM's VMM to send it to `migrating_to` (as
    // `migrating_as` there), also in runtime.json: if the daemon stops meanwhile, the next
    // one finds out where the VM ended up (settle_outgoing).
    std::string migrating_to, migrating_as;
    // When settle_outgoing first found the VM not running at the destination (it looks again
    // for 10 s: the destination resumes a moment after the source's VMM has left).
    std::optional<std::chrono::steady_clock::time_point> not_there_since;
  };

  Registry(StateDir state, RegistryOptions options, EventLog& log)
      : state_(std::move(state)), options_(std::move(options)), log_(log) {}
  void load_and_adopt();
  void load_one(const std::string& name);
  std::shared_ptr<Entry> find(const std::string& name);
  // Clears `run` if the VMM is gone (reaping it if it is our child). Call with e.data held.
  void check_exit_locked(Entry& e);
  bool running(Entry& e);
  // Polls until the VMM process is gone or the deadline passes.
  bool wait_gone(Entry& e, std::chrono::milliseconds timeout);
  Outcome<nlohmann::json> start_locked(Entry& e);
  Outcome<nlohmann::json> control(Entry& e, const nlohmann::json& req, std::chrono::milliseconds timeout);
  // A synchronised connection to the guest agent of running VM `name`.
  Outcome<agent::QgaClient> agent_for(const std::string& name, agent::Clock::time_point deadline);
  // stop's graceful path: true once the guest agent has accepted a power-off request.
  bool shutdown_by_agent(Entry& e);
  Outcome<nlohmann::json> simple_op(const std::string& name, const char* op, const char* wrong_state_message,
                                    bool want_paused);
  nlohmann::json info(Entry& e);
  // Migration's receiving side (registry_migrate.cpp).
  Outcome<std::shared_ptr<Entry>> add_incoming_entry(const VmDefinition& def);
  Outcome<std::string> start_incoming(Entry& d, const std::string& tcp_host = {}, bool copy_disks = false);
  // Points the definition's drives at the images the receiving VMM created (migrate_disks).
  void adopt_copied_disks(Entry& d);
  // Where `to` names another daemon: unix:SOCKET or https://HOST:PORT; nullopt for a local name.
  Outcome<std::optional<http::Target>> peer_target(const std::string& to);
  void drop_incoming(Entry& d);
  Result<bool> save_definition(const VmDefinition& def);
  // The jail arguments for a VM's VMM (empty when it runs unjailed) and the uid they give it.
  Outcome<std::vector<std::string>> jail_for(const VmDefinition& def, uid_t& uid);
  void release_starting_uid(uid_t uid);
  // SIGKILL to the VMM (to the jailed one under its keeper).
  static void kill_vmm(const Runtime& run);
  // The pid whose /proc figures are the VMM's (under a keeper when jailed).
  static pid_t vmm_pid(const Runtime& run) { return run.jail_uid ? jailed_vmm_pid(run.proc.pid) : run.proc.pid; }
  void watch_loop();
  // The watcher's part for VMs arriving by migration: confirms those that run, drops those
  // whose VMM ended first.
  void settle_incoming(const std::vector<std::shared_ptr<Entry>>& entries);
  // For VMs whose VMM ended while a migration was marked (the daemon was not there to see
  // it finish): asks the destination whether the VM runs there; if so it goes from here.
  void settle_outgoing(const std::vector<std::shared_ptr<Entry>>& entries);
  // runtime.json from the entry's fields. Call with e.data held and e.run set.
  void save_runtime_locked(Entry& e);

  StateDir state_;
  RegistryOptions options_;
  EventLog& log_;
  std::mutex table_mutex_;
  std::map<std::string, std::shared_ptr<Entry>> table_;
  std::mutex watch_mutex_;
  std::condition_variable watch_cv_;
  bool stopping_ = false;
  std::thread watcher_;
  std::mutex uid_mutex_;
  std::set<uid_t> starting_uids_;  // handed to a VMM that is not in the table's runtimes yet
};

}  // namespace vessel::manager
