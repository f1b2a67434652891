#include "manager/network_registry.h"

#include <arpa/inet.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>

#include "common/pid_file.h"
#include "manager/json_fields.h"
#include "manager/state_dir.h"
#include "manager/tool_process.h"
#include "manager/vm_definition.h"

namespace vessel::manager {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// "a.b.c.d/len" with 8 <= len <= 30 and no host bits set.
bool valid_subnet(const std::string& cidr) {
  const size_t slash = cidr.find('/');
  if (slash == std::string::npos) return false;
  in_addr addr{};
  if (inet_pton(AF_INET, cidr.substr(0, slash).c_str(), &addr) != 1) return false;
  const std::string len_text = cidr.substr(slash + 1);
  if (len_text.empty() || len_text.size() > 2 || len_text.find_first_not_of("0123456789") != std::string::npos) return false;
  const int len = std::stoi(len_text);
  if (len < 8 || len > 30) return false;
  const uint32_t host_mask = (1u << (32 - len)) - 1;
  return (ntohl(addr.s_addr) & host_mask) == 0;
}

std::string program_path(const char* name) {
  for (const char* dir : {"/usr/bin/", "/usr/sbin/", "/usr/local/bin/", "/bin/"}) {
    const std::string p = std::string(dir) + name;
    if (access(p.c_str(), X_OK) == 0) return p;
  }
  return {};
}

json proc_json(const std::optional<ProcessId>& p) {
  if (!p) return nullptr;
  return {{"pid", p->pid}, {"start_time", p->start_time}};
}

std::optional<ProcessId> proc_from_json(const json& j) {
  if (!j.is_object()) return std::nullopt;
  return ProcessId{j.value("pid", 0), j.value("start_time", uint64_t{0})};
}

// Runs a tool that daemonizes with `-p PIDFILE` and returns the daemon's identity.
Result<ProcessId> start_daemon(const std::string& binary, std::vector<std::string> args, const std::string& pid_file) {
  std::error_code ec;
  fs::remove(pid_file, ec);
  args.insert(args.end(), {"-p", pid_file, "-d"});
  auto run = run_tool(binary, args, 10s);
  if (!run) return Error{run.error()};
  if (run->status != 0) return Error{binary + " failed (status " + std::to_string(run->status) + "): " + run->err};
  const auto pid = wait_for_pid_file(pid_file, 10s);
  if (!pid) return Error{binary + " did not write its pid file " + pid_file};
  const auto start = process_start_time(*pid);
  if (!start) return Error{binary + " exited right after starting"};
  return ProcessId{*pid, *start};
}

void end_process(const std::optional<ProcessId>& p) {
  if (p && process_alive(*p)) kill(p->pid, SIGTERM);
}

}  // namespace

Outcome<NetworkDefinition> parse_network_definition(const json& body) {
  Fields f(body, "request body");
  TRY(f.check_object());
  TRY(f.unknown({"name", "subnet", "nat"}));
  NetworkDefinition d;
  TRY(f.string("name", d.name, true));
  if (!valid_vm_name(d.name))
    return invalid("invalid network name '" + d.name + "' (1 to 63 of a-z A-Z 0-9 . _ -, starting with a letter or digit)",
                   "invalid_name");
  TRY(f.string("subnet", d.subnet));
  TRY(f.boolean("nat", d.nat));
  if (d.subnet.empty()) d.subnet = "10.0.2.0/24";
  if (!valid_subnet(d.subnet))
    return invalid("field 'subnet' must be an IPv4 network like 10.0.2.0/24 (prefix 8 to 30, no host bits)");
  return d;
}

NetworkRegistry::NetworkRegistry(std::string dir, EventLog& log) : dir_(std::move(dir)), log_(log) {}

void NetworkRegistry::open() {
  std::lock_guard lock(mutex_);
  std::error_code ec;
  fs::create_directories(dir_, ec);
  for (const auto& item : fs::directory_iterator(dir_, ec)) {
    const std::string name = item.path().filename();
    auto stored = read_json(net_dir(name) + "/network.json");
    if (!stored || !stored->is_object()) {
      log_.warn("skipping network with unreadable definition", {{"network", name}});
      continue;
    }
    Entry e;
    e.def = {stored->value("name", ""), stored->value("subnet", "10.0.2.0/24"), stored->value("nat", false)};
    if (e.def.name != name) continue;
    if (auto rt = read_json(net_dir(name) + "/runtime.json"); rt && rt->is_object()) {
      e.run.switch_proc = proc_from_json(rt->value("switch", json()));
      e.run.uplink_proc = proc_from_json(rt->value("uplink", json()));
    }
    const bool adopted = e.run.switch_proc && process_alive(*e.run.switch_proc) &&
                         (!e.def.nat || (e.run.uplink_proc && process_alive(*e.run.uplink_proc)));
    if (adopted) {
      log_.info("re-adopted network", {{"network", name}});
    } else {
      stop_processes(e);
      if (auto r = start_processes(e); !r)
        log_.warn("cannot start network", {{"network", name}, {"error", r.error()}});
      else
        log_.info("started network", {{"network", name}});
    }
    table_[name] = e;
  }
}

Result<bool> NetworkRegistry::start_processes(Entry& e) {
  const std::string sw = program_path("vde_switch");
  if (sw.empty()) return Error{"vde_switch is not installed (Debian's vde2 package)"};
  const std::string dir = net_dir(e.def.name);
  auto s = start_daemon(sw, {"-s", switch_path(e.def.name), "-M", dir + "/mgmt", "-m", "660"}, dir + "/switch.pid");
  if (!s) return Error{"cannot start the switch: " + s.error()};
  e.run.switch_proc = s.value();
  if (e.def.nat) {
    const std::string slirp = program_path("slirpvde");
    if (slirp.empty()) return Error{"slirpvde is not installed (Debian's vde2 package)"};
    auto u = start_daemon(slirp, {"-s", switch_path(e.def.name), "-D", "-H", e.def.subnet}, dir + "/uplink.pid");
    if (!u) return Error{"cannot start the NAT uplink: " + u.error()};
    e.run.uplink_proc = u.value();
  }
  auto w = write_json_atomic(dir + "/runtime.json",
                             {{"switch", proc_json(e.run.switch_proc)}, {"uplink", proc_json(e.run.uplink_proc)}}, false);
  if (!w) return Error{w.error()};
  return true;
}

void NetworkRegistry::stop_processes(Entry& e) {
  end_process(e.run.uplink_proc);
  end_process(e.run.switch_proc);
  e.run = {};
}

json NetworkRegistry::info(const Entry& e) const {
  const bool up = e.run.switch_proc && process_alive(*e.run.switch_proc);
  json j{{"name", e.def.name}, {"subnet", e.def.subnet}, {"nat", e.def.nat}, {"state", up ? "up" : "down"},
         {"switch", switch_path(e.def.name)}};
  if (e.run.switch_proc) j["switch_pid"] = e.run.switch_proc->pid;
  if (e.def.nat) {
    // slirpvde's fixed plan: gateway (and the host's loopback) at .2, DNS at .3, DHCP from .15.
    in_addr a{};
    inet_pton(AF_INET, e.def.subnet.substr(0, e.def.subnet.find('/')).c_str(), &a);
    auto host = [&](uint32_t n) {
      in_addr h{htonl(ntohl(a.s_addr) + n)};
      char buf[INET_ADDRSTRLEN];
      return std::string(inet_ntop(AF_INET, &h, buf, sizeof buf));
    };
    j["gateway"] = host(2);
    j["dns"] = host(3);
    if (e.run.uplink_proc) j["uplink_pid"] = e.run.uplink_proc->pid;
  }
  return j;
}

Outcome<json> NetworkRegistry::create(const json& body) {
  auto def = parse_network_definition(body);
  if (!def) return def.error();
  std::lock_guard lock(mutex_);
  if (table_.count(def->name)) return conflict("a network named '" + def->name + "' already exists", "network_exists");
  const std::string dir = net_dir(def->name);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return ManagerError{ErrorKind::VmmFailure, "network_failed", "cannot create " + dir + ": " + ec.message()};
  Entry e;
  e.def = def.value();
  auto saved = write_json_atomic(dir + "/network.json", {{"name", e.def.name}, {"subnet", e.def.subnet}, {"nat", e.def.nat}});
  auto started = saved ? start_processes(e) : Result<bool>(Error{saved.error()});
  if (!started) {
    stop_processes(e);
    fs::remove_all(dir, ec);
    return ManagerError{ErrorKind::VmmFailure, "network_failed", "network '" + e.def.name + "': " + started.error()};
  }
  log_.info("network created", {{"network", e.def.name}, {"subnet", e.def.subnet}, {"nat", e.def.nat}});
  table_[e.def.name] = e;
  return info(e);
}

json NetworkRegistry::list() {
  std::lock_guard lock(mutex_);
  json out = json::array();
  for (const auto& [name, e] : table_) out.push_back(info(e));
  return out;
}

Outcome<json> NetworkRegistry::get(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = table_.find(name);
  if (it == table_.end()) return ManagerError{ErrorKind::NotFound, "network_not_found", "no network named '" + name + "'"};
  return info(it->second);
}

bool NetworkRegistry::exists(const std::string& name) {
  std::lock_guard lock(mutex_);
  return table_.count(name) > 0;
}

Outcome<json> NetworkRegistry::remove(const std::string& name, const std::vector<std::string>& attached_vms) {
  std::lock_guard lock(mutex_);
  auto it = table_.find(name);
  if (it == table_.end()) return ManagerError{ErrorKind::NotFound, "network_not_found", "no network named '" + name + "'"};
  if (!attached_vms.empty()) {
    std::string list;
    for (const auto& vm : attached_vms) list += (list.empty() ? "" : ", ") + vm;
    return conflict("network '" + name + "' is used by VM(s) " + list + "; delete them or their NICs first", "network_in_use");
  }
  stop_processes(it->second);
  std::error_code ec;
  fs::remove_all(net_dir(name), ec);
  table_.erase(it);
  log_.info("network deleted", {{"network", name}});
  return json{{"name", name}, {"deleted", true}};
}

}  // namespace vessel::manager
