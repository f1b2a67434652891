// Named networks: an unprivileged L2 segment per name, VDE switch (Debian's vde_switch) in
// STATE/networks/NAME, optionally with a NAT uplink (slirpvde: gateway .2, DNS .3 and DHCP on
// the subnet). VMs attach with {"network": NAME}; QEMU VMs can join the same switch.
//
//   STATE/networks/NAME/network.json   the definition (name, subnet, nat)
//   STATE/networks/NAME/runtime.json   pids + start times of the switch and the uplink
//   STATE/networks/NAME/switch/        the switch's socket directory (what VMs plug into)
//
// The switch and the uplink are daemons of their own: a daemon restart leaves them running and
// the next daemon adopts them (by pid and start time), so VMs keep their network. A network
// whose processes are gone is started again when the daemon opens it.
#pragma once
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "manager/event_log.h"
#include "manager/manager_error.h"
#include "manager/process_info.h"

namespace vessel::manager {

struct NetworkDefinition {
  std::string name;
  std::string subnet;  // CIDR, e.g. 10.0.2.0/24 (the NAT uplink's network; informative without nat)
  bool nat = false;
};

// POST /v1/networks body -> definition (strict: unknown fields, bad names, bad CIDR).
Outcome<NetworkDefinition> parse_network_definition(const nlohmann::json& body);

class NetworkRegistry {
 public:
  NetworkRegistry(std::string dir, EventLog& log);

  // Loads every stored network and makes sure its processes run (adopting or restarting).
  void open();
  Outcome<nlohmann::json> create(const nlohmann::json& body);
  nlohmann::json list();
  Outcome<nlohmann::json> get(const std::string& name);
  // `attached_vms`: the VMs whose definitions name this network (deleting is then refused).
  Outcome<nlohmann::json> remove(const std::string& name, const std::vector<std::string>& attached_vms);
  bool exists(const std::string& name);
  // The socket directory a VMM joins (`--net vde,sock=...`); the same for every network's name.
  std::string switch_path(const std::string& name) const { return dir_ + "/" + name + "/switch"; }
  const std::string& dir() const { return dir_; }

 private:
  struct Runtime {
    std::optional<ProcessId> switch_proc, uplink_proc;
  };
  struct Entry {
    NetworkDefinition def;
    Runtime run;
  };
  std::string net_dir(const std::string& name) const { return dir_ + "/" + name; }
  Result<bool> start_processes(Entry& e);
  void stop_processes(Entry& e);
  nlohmann::json info(const Entry& e) const;

  std::string dir_;
  EventLog& log_;
  std::mutex mutex_;  // held across whole actions: networks change rarely
  std::map<std::string, Entry> table_;
};

}  // namespace vessel::manager
