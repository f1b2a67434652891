#include "manager/vm_definition.h"

#include <sys/stat.h>

#include <cmath>
#include <set>

#include "common/size.h"
#include "manager/json_fields.h"

namespace vessel::manager {
namespace {

using nlohmann::json;
constexpr unsigned kMaxCpus = 32;
constexpr uint64_t kMinMemory = 16ull << 20, kMaxMemory = 1ull << 40;
// virtio-mmio has 8 slots, 3 of them taken by the console, rng and balloon; the PCI bus has 31
// slots beside its host bridge.
constexpr size_t kMmioSlots = 5, kPciSlots = 31;

std::optional<ManagerError> check_bus(const std::string& where, const std::string& bus) {
  if (!bus.empty() && bus != "mmio" && bus != "pci") return invalid("field '" + where + ".bus' must be mmio or pci");
  return std::nullopt;
}

std::optional<ManagerError> check_file(const std::string& field, const std::string& path) {
  struct stat st{};
  if (path.empty() || path[0] != '/') return invalid("field '" + field + "' must be an absolute path", "invalid_path");
  if (stat(path.c_str(), &st) != 0) return invalid(field + " file not found: " + path, "file_not_found");
  if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) return invalid(field + " is not a file: " + path, "file_not_found");
  return std::nullopt;
}

// vessel-vmm options are comma-separated key=value lists: a comma inside a value cannot be passed.
std::optional<ManagerError> no_comma(const std::string& field, const std::string& v) {
  if (v.find(',') != std::string::npos) return invalid("field '" + field + "' must not contain a comma");
  return std::nullopt;
}

std::optional<ManagerError> parse_rates(const json& arr, const std::string& where, size_t count, const char* ops_key,
                                        std::vector<RateLimit>& out) {
  if (!arr.is_array()) return invalid("field '" + where + "' must be an array", "wrong_type");
  if (arr.size() > count)
    return invalid("field '" + where + "' has " + std::to_string(arr.size()) + " entries but the VM has " +
                   std::to_string(count));
  out.clear();
  for (size_t i = 0; i < arr.size(); ++i) {
    Fields f(arr[i], where + "[" + std::to_string(i) + "]");
    TRY(f.check_object());
    TRY(f.unknown({"bps", ops_key}));
    RateLimit r;
    TRY(f.unsigned_int("bps", r.bytes_per_sec));
    TRY(f.unsigned_int(ops_key, r.ops_per_sec));
    out.push_back(r);
  }
  return std::nullopt;
}

std::optional<ManagerError> parse_limits_into(const json& body, const std::string& where, size_t drives, size_t nets,
                                              unsigned cpus, Limits& out) {
  Fields f(body, where);
  TRY(f.check_object());
  TRY(f.unknown({"cpu", "drives", "nets"}));
  TRY(f.number("cpu", out.cpu));
  if (!std::isfinite(out.cpu) || out.cpu < 0 || out.cpu > cpus)
    return invalid("field '" + f.prefix() + "cpu' must be between 0 (uncapped) and the VM's cpus (" +
                   std::to_string(cpus) + ")", "invalid_limit");
  if (f.has("drives")) TRY(parse_rates(f["drives"], f.prefix() + "drives", drives, "iops", out.drives));
  if (f.has("nets")) TRY(parse_rates(f["nets"], f.prefix() + "nets", nets, "pps", out.nets));
  return std::nullopt;
}

std::optional<ManagerError> parse_body(const json& body, VmDefinition& d, bool& start, bool check_files) {
  Fields f(body, "request body");
  TRY(f.check_object());
  std::set<std::string> known = {"name",   "cpus",      "memory", "kernel", "initrd",    "cmdline",
                                 "engine", "cpu",       "hugepages", "drives", "nets",   "limits",
                                 "autostart", "gdb",    "snapshot", "start", "bios",      "firmware", "cloud_init", "vsock",
                                 "sandbox", "shares"};
  if (!check_files) known.insert("cloud_init_seed");  // made by the manager, never by a client
  TRY(f.unknown(known));
  TRY(f.string("name", d.name, true));
  if (!valid_vm_name(d.name))
    return invalid("invalid VM name '" + d.name + "' (1 to 63 of a-z A-Z 0-9 . _ -, starting with a letter or digit)",
                   "invalid_name");
  uint64_t cpus = 1;
  TRY(f.unsigned_int("cpus", cpus));
  if (cpus < 1 || cpus > kMaxCpus) return invalid("field 'cpus' must be between 1 and 32", "invalid_size");
  d.cpus = static_cast<unsigned>(cpus);
  std::string memory = "128M";
  if (f.has("memory") && f["memory"].is_number_integer() && f["memory"].get<int64_t>() > 0)
    memory = std::to_string(f["memory"].get<int64_t>()) + "M";  // a bare number means MiB, as in `vessel run`
  else
    TRY(f.string("memory", memory));
  const auto mem = parse_size(memory);
  if (!mem || *mem < kMinMemory || *mem > kMaxMemory || (*mem & 0xfff))
    return invalid("invalid memory '" + memory + "' (expected 16M to 1T, e.g. \"128M\" or \"2G\")", "invalid_size");
  d.memory_bytes = *mem;
  TRY(f.string("snapshot", d.snapshot));
  TRY(f.string("firmware", d.firmware));
  if (!d.firmware.empty() && d.firmware != "uboot") return invalid("field 'firmware' must be uboot", "invalid_argument");
  TRY(f.string("kernel", d.kernel, d.snapshot.empty() && d.firmware.empty()));
  TRY(f.string("bios", d.bios));
  if (!d.firmware.empty() && (!d.kernel.empty() || !d.bios.empty()))
    return invalid("field 'firmware' picks the bios and kernel itself: give firmware or kernel/bios", "invalid_argument");
  TRY(f.string("cloud_init", d.cloud_init));
  if (!check_files) TRY(f.string("cloud_init_seed", d.cloud_init_seed));
  TRY(f.string("initrd", d.initrd));
  TRY(f.string("cmdline", d.cmdline));
  TRY(f.string("engine", d.engine));
  TRY(f.string("cpu", d.cpu));
  if (!d.cpu.empty() && d.cpu != "rv64gc" && d.cpu != "rva22" && d.cpu != "rva23")
    return invalid("field 'cpu' must be rv64gc, rva22 or rva23", "invalid_argument");
  if (!d.engine.empty() && d.engine != "jit" && d.engine != "interp")
    return invalid("field 'engine' must be jit or interp", "invalid_argument");
  TRY(f.boolean("hugepages", d.huge_pages));
  TRY(f.boolean("autostart", d.autostart));
  TRY(f.boolean("gdb", d.gdb));
  TRY(f.boolean("sandbox", d.sandbox));
  TRY(f.boolean("start", start));
  if (check_files) {
    if (!d.snapshot.empty()) TRY(check_file("snapshot", d.snapshot));
    if (!d.kernel.empty()) TRY(check_file("kernel", d.kernel));
    if (!d.initrd.empty()) TRY(check_file("initrd", d.initrd));
    if (!d.bios.empty()) TRY(check_file("bios", d.bios));
    if (!d.cloud_init.empty()) TRY(check_file("cloud_init", d.cloud_init));
  }
  if (f.has("drives")) {
    if (!f["drives"].is_array()) return f.wrong("drives", "an array");
    for (size_t i = 0; i < f["drives"].size(); ++i) {
      const std::string where = "drives[" + std::to_string(i) + "]";
      Fields g(f["drives"][i], where);
      TRY(g.check_object());
      TRY(g.unknown({"file", "format", "readonly", "serial", "bus"}));
      DriveDefinition dd;
      TRY(g.string("file", dd.file, true));
      TRY(g.string("format", dd.format));
      TRY(g.boolean("readonly", dd.readonly));
      TRY(g.string("serial", dd.serial));
      TRY(g.string("bus", dd.bus));
      TRY(check_bus(where, dd.bus));
      if (!dd.format.empty() && dd.format != "raw" && dd.format != "qcow2")
        return invalid("field '" + where + ".format' must be raw or qcow2");
      TRY(no_comma(where + ".file", dd.file));
      TRY(no_comma(where + ".serial", dd.serial));
      if (check_files) TRY(check_file(where + ".file", dd.file));
      d.drives.push_back(dd);
    }
  }
  if (f.has("nets")) {
    if (!f["nets"].is_array()) return f.wrong("nets", "an array");
    for (size_t i = 0; i < f["nets"].size(); ++i) {
      const std::string where = "nets[" + std::to_string(i) + "]";
      Fields g(f["nets"][i], where);
      TRY(g.check_object());
      TRY(g.unknown({"mode", "ifname", "mac", "hostfwd", "bus", "network"}));
      NetDefinition nd;
      TRY(g.string("network", nd.network));
      if (!nd.network.empty()) nd.mode = "network";  // "mode" may be left out
      TRY(g.string("mode", nd.mode));
      TRY(g.string("ifname", nd.ifname));
      TRY(g.string("mac", nd.mac));
      TRY(g.string("bus", nd.bus));
      TRY(check_bus(where, nd.bus));
      if (nd.mode != "user" && nd.mode != "tap" && nd.mode != "network")
        return invalid("field '" + where + ".mode' must be user, tap or network");
      if (nd.mode == "tap" && nd.ifname.empty()) return invalid("field '" + where + ".ifname' is required for tap");
      if ((nd.mode == "network") != !nd.network.empty())
        return invalid("field '" + where + ".network' names the network for mode network (and only then)");
      if (!nd.network.empty() && !valid_vm_name(nd.network))
        return invalid("field '" + where + ".network' is not a valid network name", "invalid_name");
      if (g.has("hostfwd")) {
        if (!g["hostfwd"].is_array()) return g.wrong("hostfwd", "an array of strings");
        for (const auto& h : g["hostfwd"]) {
          if (!h.is_string()) return g.wrong("hostfwd", "an array of strings");
          nd.hostfwd.push_back(h.get<std::string>());
          TRY(no_comma(where + ".hostfwd", nd.hostfwd.back()));
        }
      }
      TRY(no_comma(where + ".ifname", nd.ifname));
      TRY(no_comma(where + ".mac", nd.mac));
      d.nets.push_back(nd);
    }
  }
  if (f.has("vsock")) {
    Fields g(f["vsock"], "vsock");
    TRY(g.check_object());
    TRY(g.unknown({"cid", "bus", "agent_port"}));
    VsockDefinition v;
    if (!g.has("cid")) return invalid("field 'vsock.cid' is required", "missing_field");
    TRY(g.unsigned_int("cid", v.cid));
    if (v.cid < 3 || v.cid >= 0xffffffffull)
      return invalid("field 'vsock.cid' must be between 3 and 4294967294 (0-2 are reserved)", "invalid_argument");
    TRY(g.string("bus", v.bus));
    TRY(check_bus("vsock", v.bus));
    TRY(g.unsigned_int("agent_port", v.agent_port));
    if (v.agent_port == 0 || v.agent_port >= 0xffffffffull)
      return invalid("field 'vsock.agent_port' must be between 1 and 4294967294", "invalid_argument");
    d.vsock = v;
  }
  if (f.has("shares")) TRY(parse_shares(f["shares"], check_files, d.shares));
  {
    size_t on_pci = 0, on_mmio = d.cloud_init.empty() ? 0 : 1;  // the seed disk is on virtio-mmio
    if (d.vsock) (d.vsock->bus == "pci" ? on_pci : on_mmio)++;
    for (const auto& x : d.drives) (x.bus == "pci" ? on_pci : on_mmio)++;
    for (const auto& x : d.nets) (x.bus == "pci" ? on_pci : on_mmio)++;
    for (const auto& x : d.shares) (x.bus == "pci" ? on_pci : on_mmio)++;
    if (on_mmio > kMmioSlots)
      return invalid("at most " + std::to_string(kMmioSlots) + " drives, NICs and shares on virtio-mmio" +
                     (d.cloud_init.empty() ? "" : " (the cloud-init seed takes one)") +
                     (d.vsock && d.vsock->bus != "pci" ? " (vsock takes one)" : "") +
                     "; put the others on PCI with \"bus\": \"pci\"");
    if (on_pci > kPciSlots) return invalid("at most " + std::to_string(kPciSlots) + " drives, NICs and shares on PCI");
  }
  if (f.has("limits")) TRY(parse_limits_into(f["limits"], "limits", d.drives.size(), d.nets.size(), d.cpus, d.limits));
  TRY(no_comma("kernel", d.kernel));
  TRY(no_comma("bios", d.bios));
  return std::nullopt;
}

json rates_json(const std::vector<RateLimit>& rates, const char* ops_key) {
  json a = json::array();
  for (const auto& r : rates) a.push_back({{"bps", r.bytes_per_sec}, {ops_key, r.ops_per_sec}});
  return a;
}

}  // namespace

bool valid_vm_name(const std::string& name) {
  if (name.empty() || name.size() > 63 || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  for (unsigned char c : name)
    if (!std::isalnum(c) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

Outcome<VmDefinition> parse_definition(const json& body, bool& start_after_create) {
  VmDefinition d;
  start_after_create = false;
  if (auto e = parse_body(body, d, start_after_create, true)) return *e;
  return d;
}

Outcome<VmDefinition> definition_from_store(const json& stored) {
  VmDefinition d;
  bool start = false;
  if (auto e = parse_body(stored, d, start, false)) return *e;
  return d;
}

Outcome<Limits> parse_limits(const json& body, const VmDefinition& def) {
  Limits l = def.limits;
  if (auto e = parse_limits_into(body, "request body", def.drives.size(), def.nets.size(), def.cpus, l)) return *e;
  return l;
}

json to_json(const Limits& l) {
  return {{"cpu", l.cpu}, {"drives", rates_json(l.drives, "iops")}, {"nets", rates_json(l.nets, "pps")}};
}

json limits_request(const Limits& l) {
  // The VMM's "limits" op: {"cpu_cap", "drives": [{"index", "bps", "iops"}], "nets": [{"index", "bps", "pps"}]}.
  json drives = json::array(), nets = json::array();
  for (size_t i = 0; i < l.drives.size(); ++i)
    drives.push_back({{"index", i}, {"bps", l.drives[i].bytes_per_sec}, {"iops", l.drives[i].ops_per_sec}});
  for (size_t i = 0; i < l.nets.size(); ++i)
    nets.push_back({{"index", i}, {"bps", l.nets[i].bytes_per_sec}, {"pps", l.nets[i].ops_per_sec}});
  return {{"op", "limits"}, {"cpu_cap", l.cpu}, {"drives", drives}, {"nets", nets}};
}

std::string format_size(uint64_t bytes) {
  if (bytes % (1ull << 30) == 0) return std::to_string(bytes >> 30) + "G";
  if (bytes % (1ull << 20) == 0) return std::to_string(bytes >> 20) + "M";
  if (bytes % (1ull << 10) == 0) return std::to_string(bytes >> 10) + "K";
  return std::to_string(bytes) + "B";
}

json to_json(const VmDefinition& d) {
  json j{{"name", d.name},   {"cpus", d.cpus},         {"memory", format_size(d.memory_bytes)},
         {"cmdline", d.cmdline}, {"autostart", d.autostart}, {"gdb", d.gdb}, {"limits", to_json(d.limits)},
         {"sandbox", d.sandbox}};
  if (!d.kernel.empty()) j["kernel"] = d.kernel;
  if (!d.initrd.empty()) j["initrd"] = d.initrd;
  if (!d.bios.empty()) j["bios"] = d.bios;
  if (!d.firmware.empty()) j["firmware"] = d.firmware;
  if (!d.cloud_init.empty()) j["cloud_init"] = d.cloud_init;
  if (!d.cloud_init_seed.empty()) j["cloud_init_seed"] = d.cloud_init_seed;
  if (!d.snapshot.empty()) j["snapshot"] = d.snapshot;
  if (!d.engine.empty()) j["engine"] = d.engine;
  if (!d.cpu.empty()) j["cpu"] = d.cpu;
  j["hugepages"] = d.huge_pages;
  json drives = json::array();
  for (const auto& x : d.drives) {
    json e{{"file", x.file}, {"readonly", x.readonly}};
    if (!x.format.empty()) e["format"] = x.format;
    if (!x.serial.empty()) e["serial"] = x.serial;
    if (!x.bus.empty()) e["bus"] = x.bus;
    drives.push_back(e);
  }
  json nets = json::array();
  for (const auto& x : d.nets) {
    json e{{"mode", x.mode}, {"hostfwd", x.hostfwd}};
    if (!x.ifname.empty()) e["ifname"] = x.ifname;
    if (!x.network.empty()) e["network"] = x.network;
    if (!x.mac.empty()) e["mac"] = x.mac;
    if (!x.bus.empty()) e["bus"] = x.bus;
    nets.push_back(e);
  }
  j["drives"] = drives;
  j["nets"] = nets;
  if (d.vsock) {
    j["vsock"] = {{"cid", d.vsock->cid}, {"agent_port", d.vsock->agent_port}};
    if (!d.vsock->bus.empty()) j["vsock"]["bus"] = d.vsock->bus;
  }
  if (!d.shares.empty()) j["shares"] = to_json(d.shares);
  return j;
}

std::vector<std::string> attached_networks(const VmDefinition& d) {
  std::vector<std::string> names;
  for (const auto& x : d.nets)
    if (!x.network.empty()) names.push_back(x.network);
  return names;
}

std::vector<std::string> to_vmm_args(const VmDefinition& d, const std::string& vsock_socket, const std::string& networks_dir) {
  std::vector<std::string> a;
  if (!d.snapshot.empty()) {
    a = {"--restore", d.snapshot};
    // If the snapshot has vsock, its host socket is this VM's, not the one saved with it.
    if (!vsock_socket.empty()) a.insert(a.end(), {"--vsock-socket", vsock_socket});
  } else {
    a = {"--memory", std::to_string(d.memory_bytes >> 20) + "M", "--cpus", std::to_string(d.cpus)};
    if (!d.firmware.empty()) a.insert(a.end(), {"--firmware", d.firmware});
    if (!d.kernel.empty()) a.insert(a.end(), {"--kernel", d.kernel});
    if (!d.bios.empty()) a.insert(a.end(), {"--bios", d.bios});
    if (!d.initrd.empty()) a.insert(a.end(), {"--initrd", d.initrd});
    if (!d.cmdline.empty()) a.insert(a.end(), {"--append", d.cmdline});
    for (size_t i = 0; i < d.drives.size(); ++i) {
      const auto& x = d.drives[i];
      std::string s = "file=" + x.file;
      if (!x.format.empty()) s += ",format=" + x.format;
      if (x.readonly) s += ",readonly=on";
      if (!x.serial.empty()) s += ",serial=" + x.serial;
      if (!x.bus.empty()) s += ",bus=" + x.bus;
      if (i < d.limits.drives.size()) {
        if (d.limits.drives[i].bytes_per_sec) s += ",bps=" + std::to_string(d.limits.drives[i].bytes_per_sec);
        if (d.limits.drives[i].ops_per_sec) s += ",iops=" + std::to_string(d.limits.drives[i].ops_per_sec);
      }
      a.insert(a.end(), {"--drive", s});
    }
    if (!d.cloud_init_seed.empty()) a.insert(a.end(), {"--drive", "file=" + d.cloud_init_seed + ",format=raw,readonly=on"});
    for (size_t i = 0; i < d.nets.size(); ++i) {
      const auto& x = d.nets[i];
      std::string s = x.mode;
      if (x.mode == "tap") s += ",ifname=" + x.ifname;
      if (x.mode == "network") s = "vde,sock=" + networks_dir + "/" + x.network + "/switch";
      for (const auto& h : x.hostfwd) s += ",hostfwd=" + h;
      if (!x.mac.empty()) s += ",mac=" + x.mac;
      if (!x.bus.empty()) s += ",bus=" + x.bus;
      if (i < d.limits.nets.size()) {
        if (d.limits.nets[i].bytes_per_sec) s += ",bps=" + std::to_string(d.limits.nets[i].bytes_per_sec);
        if (d.limits.nets[i].ops_per_sec) s += ",pps=" + std::to_string(d.limits.nets[i].ops_per_sec);
      }
      a.insert(a.end(), {"--net", s});
    }
    if (d.vsock) {
      std::string s = "cid=" + std::to_string(d.vsock->cid);
      if (!vsock_socket.empty()) s += ",uds=" + vsock_socket;
      if (!d.vsock->bus.empty()) s += ",bus=" + d.vsock->bus;
      a.insert(a.end(), {"--vsock", s});
    }
    append_share_args(d.shares, a);
  }
  if (!d.engine.empty()) a.insert(a.end(), {"--engine", d.engine});
  if (!d.cpu.empty()) a.insert(a.end(), {"--cpu", d.cpu});
  if (!d.huge_pages) a.insert(a.end(), {"--hugepages", "off"});
  if (d.limits.cpu > 0 && d.snapshot.empty()) {  // a restore takes its limits over the control socket
    char buf[32];
    snprintf(buf, sizeof buf, "%g", d.limits.cpu);
    a.insert(a.end(), {"--cpu-cap", buf});
  }
  return a;
}

}  // namespace vessel::manager
