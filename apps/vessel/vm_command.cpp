// `vessel vm create|start|stop|shutdown|kill|pause|resume|rm|ls|show|console|exec|cp|snapshot|restore|limits|migrate`:
// the REST API (docs/api/openapi.yaml) from the command line. Human tables by default,
// --json prints the daemon's JSON for scripts.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "http/http_client.h"
#include "commands.h"
#include "api_call.h"
#include "vm_command.h"

namespace vessel::cli {
namespace {

using nlohmann::json;

void print_vm(const json& vm) {
  auto field = [&](const char* label, const std::string& value) { printf("%-12s %s\n", label, value.c_str()); };
  field("name:", vm.value("name", ""));
  field("state:", vm.value("state", ""));
  if (vm.contains("pid")) field("pid:", std::to_string(vm["pid"].get<long>()));
  field("cpus:", std::to_string(vm.value("cpus", 0)));
  field("memory:", human_bytes(vm.value("memory_bytes", 0.0)));
  if (vm.contains("uptime_seconds")) field("uptime:", human_duration(vm["uptime_seconds"].get<double>()));
  if (vm.contains("rss_bytes")) field("host RSS:", human_bytes(vm["rss_bytes"].get<double>()));
  if (vm.contains("vcpu_seconds")) {
    char b[32];
    snprintf(b, sizeof b, "%.2fs", vm["vcpu_seconds"].get<double>());
    field("vCPU time:", b);
  }
  if (vm.contains("last_exit")) field("last exit:", vm["last_exit"].get<std::string>());
  if (vm.contains("stop_method")) {
    const std::string m = vm["stop_method"].get<std::string>();
    field("stopped by:", (m == "guest_agent" ? "the guest agent (the guest's own shutdown)"
                          : m == "sysrq"     ? "SysRq over the serial console (sync, power off)"
                                             : "SIGTERM to the VMM") +
                             std::string(vm.value("forced", false) ? ", then killed at the timeout" : ""));
  }
  const json& cfg = vm.value("config", json::object());
  if (cfg.contains("snapshot")) field("snapshot:", cfg["snapshot"].get<std::string>());
  if (cfg.contains("kernel")) field("kernel:", cfg["kernel"].get<std::string>());
  if (cfg.contains("initrd")) field("initrd:", cfg["initrd"].get<std::string>());
  if (!cfg.value("cmdline", "").empty()) field("cmdline:", cfg["cmdline"].get<std::string>());
  field("autostart:", cfg.value("autostart", false) ? "yes" : "no");
  if (vm.contains("sandbox"))
    field("sandbox:", !vm.value("sandbox", true) ? "off"
                      : vm.contains("jail")  ? "on (uid " + std::to_string(vm["jail"].value("uid", 0u)) + ")"
                                             : "on");
  const double cap = cfg.contains("limits") ? cfg["limits"].value("cpu", 0.0) : 0.0;
  if (cap > 0) {
    char b[32];
    snprintf(b, sizeof b, "%.0f%% of a core", cap * 100);
    field("cpu cap:", b);
  }
}

void print_table(const json& list) {
  printf("%-20s %-12s %4s %10s %8s %10s %8s\n", "NAME", "STATE", "CPUS", "MEMORY", "UPTIME", "RSS", "PID");
  for (const auto& vm : list.value("vms", json::array())) {
    printf("%-20s %-12s %4d %10s %8s %10s %8s\n", vm.value("name", "").c_str(), vm.value("state", "").c_str(),
           vm.value("cpus", 0), human_bytes(vm.value("memory_bytes", 0.0)).c_str(),
           vm.contains("uptime_seconds") ? human_duration(vm["uptime_seconds"].get<double>()).c_str() : "-",
           vm.contains("rss_bytes") ? human_bytes(vm["rss_bytes"].get<double>()).c_str() : "-",
           vm.contains("pid") ? std::to_string(vm["pid"].get<long>()).c_str() : "-");
  }
}

int output(const Common& c, const std::optional<json>& r, bool table = false) {
  if (!r) return kExitFailure;
  if (c.json_output || !r->is_object()) {
    if (r->is_string()) fputs(r->get<std::string>().c_str(), stdout);
    else printf("%s\n", r->dump(2).c_str());
  } else if (table) {
    print_table(*r);
  } else if (r->contains("state")) {
    print_vm(*r);
  } else {
    for (auto it = r->begin(); it != r->end(); ++it)
      printf("%-12s %s\n", (it.key() + ":").c_str(), it.value().is_string() ? it.value().get<std::string>().c_str()
                                                                             : it.value().dump().c_str());
  }
  return kExitOk;
}

// "INDEX:BPS:OPS" for --drive-limit / --net-limit.
bool parse_rate(const std::string& text, json& list, const char* ops_key) {
  unsigned long idx = 0, bps = 0, ops = 0;
  char tail = 0;
  if (sscanf(text.c_str(), "%lu:%lu:%lu%c", &idx, &bps, &ops, &tail) != 3 || idx > 16) return false;
  while (list.size() <= idx) list.push_back({{"bps", 0}, {ops_key, 0}});
  list[idx] = {{"bps", bps}, {ops_key, ops}};
  return true;
}

}  // namespace

int vm_command(int argc, char** argv) {
  CLI::App app{"Manage virtual machines through vesseld", "vessel vm"};
  Common c;
  c.program = "vessel vm";
  add_connection_options(app, c);
  app.add_flag("--json", c.json_output, "print the daemon's JSON");
  app.require_subcommand(1);
  app.fallthrough();

  std::string name, path, kernel, initrd, cmdline, memory = "128M";
  unsigned cpus = 1;
  double cpu_cap = -1, timeout = 10;
  bool autostart = false, start = false, no_start = false;
  std::vector<std::string> drives, nets, drive_limits, net_limits;

  auto* create = app.add_subcommand("create", "define a VM");
  create->add_option("name", name, "VM name")->required();
  std::string bios, firmware, cloud_init;
  create->add_option("--kernel", kernel, "Linux kernel Image (or the next stage after --bios)");
  create->add_option("--bios", bios, "M-mode firmware (e.g. OpenSBI fw_dynamic.bin)");
  create->add_option("--firmware", firmware, "uboot: boot the first disk through Debian's OpenSBI and U-Boot");
  create->add_option("--cloud-init", cloud_init,
                     "cloud-init user-data file: the daemon makes a NoCloud seed disk (label cidata) from it");
  create->add_option("--initrd", initrd, "initial ramdisk");
  create->add_option("--cmdline,--append", cmdline, "kernel command line");
  create->add_option("--cpus", cpus, "harts");
  create->add_option("--memory,-m", memory, "guest RAM (e.g. 128M)");
  create->add_option("--drive", drives, "file=PATH[,format=raw|qcow2][,readonly=on][,serial=ID] (repeatable)");
  create->add_option("--net", nets,
                     "user[,hostfwd=tcp::HP-:GP], tap,ifname=NAME or network=NAME (a named network: vessel net "
                     "create); each with [,mac=MAC][,bus=mmio|pci] (repeatable)");
  std::string vsock;
  create->add_option("--vsock", vsock,
                     "cid=N[,agent_port=P][,bus=mmio|pci]: virtio-vsock; its host socket is vms/NAME/vsock; the guest "
                     "agent (exec, cp, graceful stop) is looked for on port P (default 1234)");
  std::vector<std::string> shares;
  create->add_option("--share", shares,
                     "tag=NAME,path=DIR[,readonly=on][,bus=mmio|pci]: share a host directory over virtio-9p (repeatable)");
  create->add_option("--cpu-cap", cpu_cap, "CPU cap as a fraction of one host core (e.g. 0.25)");
  std::string engine;
  create->add_option("--engine", engine, "jit or interp (default: the VMM's)")
      ->check(CLI::IsMember({"jit", "interp"}));
  std::string huge_pages;
  create->add_option("--hugepages", huge_pages,
                     "guest RAM in transparent huge pages: on (faster boot) or off (default: memory held in "
                     "4 KiB units)")
      ->check(CLI::IsMember({"on", "off"}));
  create->add_flag("--autostart", autostart, "start when vesseld starts");
  bool gdb = false;
  create->add_flag("--gdb", gdb, "serve gdb's remote protocol while it runs (vessel vm debug NAME attaches)");
  create->add_flag("--start", start, "start it right away");
  bool no_sandbox = false;
  create->add_flag("--no-sandbox", no_sandbox,
                   "run its VMM unjailed, for debugging (\"sandbox\": false; `vessel vm show` then says sandbox: off). "
                   "By default every VMM runs jailed: its own namespaces and root, an unprivileged uid, no "
                   "capabilities, seccomp filters per thread (docs/security.md); vesseld --no-sandbox turns it off "
                   "for all VMs");

  std::map<std::string, CLI::App*> simple;
  for (const auto& [s, what] : {std::pair{"start", "start a stopped VM"},
                                {"kill", "kill a VM's process at once"},
                                {"pause", "stop every hart at an instruction boundary"},
                                {"resume", "continue a paused VM"},
                                {"rm", "delete a stopped VM"},
                                {"show", "state and figures of one VM"},
                                {"console", "attach to the serial console (Ctrl-] detaches)"},
                                {"debug", "attach gdb-multiarch to a VM created with --gdb (stops it while attached)"}}) {
    simple[s] = app.add_subcommand(s, what);
    simple[s]->add_option("name", name, "VM name")->required();
  }
  auto* stop = app.add_subcommand("stop", "ask the guest to power off; kill it after --timeout seconds");
  stop->add_option("name", name, "VM name")->required();
  stop->add_option("--timeout", timeout, "seconds to wait before forcing")->capture_default_str();
  VmExecOptions exec_options;
  auto* exec = app.add_subcommand(
      "exec", "run a command in the guest through its guest agent (qemu-ga on vsock); prints its output, exits with its status");
  exec->add_option("name", name, "VM name")->required();
  exec->add_option("command", exec_options.command, "the command and its arguments")->required();
  exec->add_option("--env,-e", exec_options.env, "NAME=VALUE (repeatable)");
  exec->add_option("--timeout", exec_options.timeout_seconds, "seconds before the command is killed")->capture_default_str();
  exec->add_flag("--interactive,-i", exec_options.stdin_input, "give our stdin to the command (read to its end first)");
  exec->prefix_command();  // everything after the name is the command, dashes included
  std::string cp_from, cp_to;
  auto* cp = app.add_subcommand("cp", "copy a file into or out of the guest through its guest agent");
  cp->add_option("from", cp_from, "a local file, - for stdin, or NAME:/GUEST/PATH")->required();
  cp->add_option("to", cp_to, "a local file, - for stdout, or NAME:/GUEST/PATH")->required();
  auto* shutdown = app.add_subcommand(
      "shutdown", "ask the guest for an orderly power-off (guest agent, else SysRq) and wait; never forces");
  shutdown->add_option("name", name, "VM name")->required();
  shutdown->add_option("--timeout", timeout, "seconds to wait for the guest")->capture_default_str();
  auto* ls = app.add_subcommand("ls", "list VMs");
  auto* snapshot = app.add_subcommand("snapshot", "write a snapshot of a running VM");
  snapshot->add_option("name", name, "VM name")->required();
  snapshot->add_option("path", path, "snapshot file (absolute or relative to here)")->required();
  auto* restore = app.add_subcommand("restore", "create a VM from a snapshot and start it");
  restore->add_option("name", name, "new VM name")->required();
  restore->add_option("path", path, "snapshot file")->required();
  restore->add_flag("--no-start", no_start, "only define it");
  auto* limits = app.add_subcommand("limits", "change resource limits (also while running)");
  limits->add_option("name", name, "VM name")->required();
  limits->add_option("--cpu", cpu_cap, "CPU cap (fraction of one host core, 0 = none)");
  limits->add_option("--drive-limit", drive_limits, "INDEX:BYTES_PER_S:IOPS (0 = unlimited; repeatable)");
  limits->add_option("--net-limit", net_limits, "INDEX:BYTES_PER_S:PACKETS_PER_S (repeatable)");
  auto* metrics = app.add_subcommand("metrics", "print the Prometheus metrics");
  auto* migrate = app.add_subcommand("migrate", "live-migrate a running VM to a new name here or to another daemon");
  std::string to, bandwidth, as_name;
  uint64_t downtime_ms = 0;
  bool compress = false, migrate_disks = false;
  migrate->add_option("name", name, "VM name")->required();
  migrate->add_option("--to", to,
                      "a new name on this host, another daemon's socket as unix:PATH, or another host's vesseld "
                      "as https://HOST:PORT (its --listen; the daemons authenticate with their --tls-dir certificates)")
      ->required();
  migrate->add_option("--as", as_name, "with --to unix:PATH or https://...: the VM's name there (default: the same)");
  migrate->add_option("--downtime-ms", downtime_ms, "longest acceptable pause (default 300)");
  migrate->add_option("--bandwidth", bandwidth, "bytes per second (K, M, G suffixes); default unlimited");
  migrate->add_flag("--compress", compress, "zstd for page data");
  migrate->add_flag("--migrate-disks", migrate_disks,
                    "copy the VM's writable disks into the new VM's directory (qcow2 backing files stay "
                    "where they are) instead of sharing them");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  } catch (const CLI::ParseError& e) {
    fprintf(stderr, "vessel vm: %s\n", e.what());
    return kExitUsage;
  }
  auto absolute = absolute_path;
  const std::string vm = "/v1/vms/" + name;

  if (*create) {
    if (kernel.empty() && firmware.empty()) {
      fprintf(stderr, "vessel vm create: give --kernel FILE or --firmware uboot\n");
      return kExitUsage;
    }
    json body{{"name", name}, {"cpus", cpus}, {"memory", memory}, {"autostart", autostart}};
    if (!kernel.empty()) body["kernel"] = absolute(kernel);
    if (!bios.empty()) body["bios"] = absolute(bios);
    if (!firmware.empty()) body["firmware"] = firmware;
    if (!cloud_init.empty()) body["cloud_init"] = absolute(cloud_init);
    if (gdb) body["gdb"] = true;
    if (no_sandbox) body["sandbox"] = false;
    if (!initrd.empty()) body["initrd"] = absolute(initrd);
    if (!cmdline.empty()) body["cmdline"] = cmdline;
    if (!engine.empty()) body["engine"] = engine;
    if (!huge_pages.empty()) body["hugepages"] = huge_pages == "on";
    if (cpu_cap >= 0) body["limits"] = {{"cpu", cpu_cap}};
    json dj = json::array(), nj = json::array();
    for (const auto& d : drives) {
      json e = json::object();
      std::stringstream ss(d);
      for (std::string kv; std::getline(ss, kv, ',');) {
        const size_t eq = kv.find('=');
        const std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
        if (k == "file") e["file"] = absolute(v);
        else if (k == "readonly") e["readonly"] = v == "on" || v == "true" || v == "yes" || v == "1";
        else e[k] = v;
      }
      dj.push_back(e);
    }
    for (const auto& n : nets) {
      json e = json::object();
      std::stringstream ss(n);
      std::string first;
      std::getline(ss, first, ',');
      if (first.find('=') == std::string::npos) {
        e["mode"] = first;
      } else {  // network=NAME: the mode follows from the key
        ss.clear();
        ss.seekg(0);
      }
      for (std::string kv; std::getline(ss, kv, ',');) {
        const size_t eq = kv.find('=');
        const std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
        if (k == "hostfwd") e["hostfwd"].push_back(v);
        else e[k] = v;
      }
      nj.push_back(e);
    }
    if (!dj.empty()) body["drives"] = dj;
    if (!nj.empty()) body["nets"] = nj;
    if (!vsock.empty()) {  // the daemon checks the values and names what is wrong
      json e = json::object();
      std::stringstream ss(vsock);
      for (std::string kv; std::getline(ss, kv, ',');) {
        const size_t eq = kv.find('=');
        const std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
        if ((k == "cid" || k == "agent_port") && !v.empty() && v.find_first_not_of("0123456789") == std::string::npos &&
            v.size() < 19)
          e["cid"] = std::stoull(v);
        else
          e[k] = v;
      }
      body["vsock"] = e;
    }
    for (const std::string& text : shares) {  // the daemon checks the values and names what is wrong
      json e = json::object();
      std::stringstream ss(text);
      for (std::string kv; std::getline(ss, kv, ',');) {
        const size_t eq = kv.find('=');
        const std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
        if (k == "readonly")
          e[k] = v == "on" || v == "true" || v == "yes" || v == "1" ? json(true) : v == "off" || v == "false" || v == "no" || v == "0" ? json(false) : json(v);
        else
          e[k] = v;
      }
      body["shares"].push_back(e);
    }
    if (start) body["start"] = true;
    return output(c, call(c, "POST", "/v1/vms", body));
  }
  if (*ls) return output(c, call(c, "GET", "/v1/vms"), true);
  if (*metrics) return output(c, call(c, "GET", "/metrics"));
  if (*simple["show"]) return output(c, call(c, "GET", vm));
  if (*simple["rm"]) return output(c, call(c, "DELETE", vm));
  if (*simple["console"]) return attach_console(c, vm + "/console", "vessel vm");
  if (*simple["debug"]) {
    auto r = call(c, "GET", vm);
    if (!r) return kExitFailure;
    if (!r->contains("gdb_socket")) {
      fprintf(stderr, "vessel vm: %s has no GDB stub running (create it with --gdb, and start it)\n", name.c_str());
      return kExitFailure;
    }
    const std::string target = "target remote " + (*r)["gdb_socket"].get<std::string>();
    execlp("gdb-multiarch", "gdb-multiarch", "-q", "-ex", "set architecture riscv:rv64", "-ex", target.c_str(),
           static_cast<char*>(nullptr));
    fprintf(stderr, "vessel vm: cannot run gdb-multiarch (Debian package gdb-multiarch): %s\n", strerror(errno));
    return kExitFailure;
  }
  for (const char* s : {"start", "kill", "pause", "resume"})
    if (*simple[s]) return output(c, call(c, "POST", vm + "/" + s, json::object()));
  if (*stop) return output(c, call(c, "POST", vm + "/stop", {{"timeout_seconds", timeout}}));
  if (*shutdown) return output(c, call(c, "POST", vm + "/shutdown", {{"timeout_seconds", timeout}}));
  if (*exec) return vm_exec(c, name, exec_options);
  if (*cp) return vm_cp(c, cp_from, cp_to);
  if (*snapshot)
    return output(c, call(c, "POST", vm + "/snapshot", {{"path", absolute(path)}}, "writing snapshot"));
  if (*restore) {
    json body{{"name", name}, {"snapshot", absolute(path)}, {"start", !no_start}};
    return output(c, call(c, "POST", "/v1/vms", body, "restoring"));
  }
  if (*migrate) {
    json body{{"to", to}};
    if (!as_name.empty()) body["name"] = as_name;
    if (downtime_ms) body["downtime_ms"] = downtime_ms;
    if (!bandwidth.empty()) body["bandwidth"] = bandwidth;
    if (compress) body["compress"] = true;
    if (migrate_disks) body["migrate_disks"] = true;
    auto r = migrate_with_progress(c, name, body);
    if (!r || c.json_output) return output(c, r);
    const std::string new_name = r->value("name", "");
    const std::string where = r->contains("daemon") ? (*r)["daemon"].get<std::string>() + (new_name != name ? " as " + new_name : "")
                                                   : new_name;
    printf("migrated %s to %s in %.2f s: %d rounds, %s sent, downtime %.1f ms\n", name.c_str(), where.c_str(),
           r->value("total_ms", 0.0) / 1e3, r->value("rounds", 0), human_bytes(r->value("bytes_sent", 0.0)).c_str(),
           r->value("downtime_ms", 0.0));
    return kExitOk;
  }
  if (*limits) {
    json body = json::object();
    if (cpu_cap >= 0) body["cpu"] = cpu_cap;
    json dl = json::array(), nl = json::array();
    for (const auto& d : drive_limits)
      if (!parse_rate(d, dl, "iops")) {
        fprintf(stderr, "vessel vm: --drive-limit wants INDEX:BYTES_PER_S:IOPS, not '%s'\n", d.c_str());
        return kExitUsage;
      }
    for (const auto& n : net_limits)
      if (!parse_rate(n, nl, "pps")) {
        fprintf(stderr, "vessel vm: --net-limit wants INDEX:BYTES_PER_S:PACKETS_PER_S, not '%s'\n", n.c_str());
        return kExitUsage;
      }
    if (!dl.empty()) body["drives"] = dl;
    if (!nl.empty()) body["nets"] = nl;
    return output(c, call(c, "PATCH", vm + "/limits", body));
  }
  return kExitUsage;
}

}  // namespace vessel::cli
