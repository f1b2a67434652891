#include "vmm/vm_config_json.h"

#include <arpa/inet.h>

#include "machine/board.h"
#include "storage/open_disk.h"

namespace vessel::vmm {

using nlohmann::json;

namespace {

std::string hostfwd_text(const net::HostForward& f) {
  char host[INET_ADDRSTRLEN], guest[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &f.host_addr, host, sizeof host);
  inet_ntop(AF_INET, &f.guest_addr, guest, sizeof guest);
  return std::string(f.udp ? "udp" : "tcp") + ":" + host + ":" + std::to_string(f.host_port) + "-" + guest + ":" +
         std::to_string(f.guest_port);
}

std::string mac_text(const std::array<uint8_t, 6>& m) {
  char s[18];
  snprintf(s, sizeof s, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  return s;
}

}  // namespace

json config_to_json(const VmConfig& c) {
  json drives = json::array(), nets = json::array();
  for (const DriveSpec& d : c.drives) {
    json j{{"file", d.file}, {"readonly", d.read_only}, {"serial", d.serial}, {"bps", d.bps}, {"iops", d.iops}};
    if (d.format) j["format"] = storage::to_string(*d.format);
    if (d.bus != Bus::Mmio) j["bus"] = to_string(d.bus);
    drives.push_back(j);
  }
  for (const NetSpec& n : c.nets) {
    std::string spec = n.kind == NetSpec::Kind::Tap   ? "tap,ifname=" + n.ifname
                       : n.kind == NetSpec::Kind::Vde ? "vde,sock=" + n.sock
                                                      : "user";
    for (const auto& f : n.hostfwds) spec += ",hostfwd=" + hostfwd_text(f);
    if (n.mac) spec += ",mac=" + mac_text(*n.mac);
    if (n.antispoof) spec += *n.antispoof ? ",antispoof=on" : ",antispoof=off";
    if (n.bus != Bus::Mmio) spec += std::string(",bus=") + to_string(n.bus);
    nets.push_back(json{{"spec", spec}, {"bps", n.bps}, {"pps", n.pps}});
  }
  json j{{"kernel", c.kernel}, {"initrd", c.initrd}, {"append", c.append}, {"bios", c.bios},
              {"memory_bytes", c.memory_bytes}, {"cpus", c.cpus}, {"cpu_cap", c.cpu_cap},
              {"cpu", riscv::cpu_profile_name(c.cpu)},
              {"drives", drives}, {"nets", nets}};
  if (c.vsock) {
    j["vsock"] = json{{"cid", c.vsock->cid}, {"uds", c.vsock->uds}};
    if (c.vsock->bus != Bus::Mmio) j["vsock"]["bus"] = to_string(c.vsock->bus);
  }
  if (!c.shares.empty()) {
    json shares = json::array();
    for (const ShareSpec& s : c.shares)
      shares.push_back(json{{"tag", s.tag}, {"path", s.path}, {"readonly", s.read_only}, {"bus", to_string(s.bus)}});
    j["shares"] = shares;
  }
  return j;
}

Result<VmConfig> config_from_json(const json& j) {
  VmConfig c;
  if (!j.is_object()) return Error{"configuration is not a JSON object"};
  auto str = [&](const char* k, std::string& out) -> bool {
    if (!j.contains(k) || !j[k].is_string()) return false;
    out = j[k].get<std::string>();
    return true;
  };
  if (!str("kernel", c.kernel) || !str("initrd", c.initrd) || !str("append", c.append) || !str("bios", c.bios))
    return Error{"configuration: kernel, initrd, append and bios must be strings"};
  if (!j.contains("memory_bytes") || !j["memory_bytes"].is_number_unsigned() || !j.contains("cpus") ||
      !j["cpus"].is_number_unsigned() || !j.contains("cpu_cap") || !j["cpu_cap"].is_number())
    return Error{"configuration: memory_bytes, cpus and cpu_cap must be numbers"};
  c.memory_bytes = j["memory_bytes"];
  c.cpus = j["cpus"];
  c.cpu_cap = j["cpu_cap"];
  if (c.memory_bytes < (16ull << 20) || c.memory_bytes > (1ull << 40) || (c.memory_bytes & 0xfff))
    return Error{"configuration: memory_bytes out of range"};
  if (c.cpus < 1 || c.cpus > machine::Board::kMaxHarts) return Error{"configuration: cpus out of range"};
  if (c.cpu_cap < 0 || c.cpu_cap > 1024) return Error{"configuration: cpu_cap out of range"};
  // Snapshots from before --cpu existed ran RV64GC.
  c.cpu = riscv::CpuProfile::Rv64gc;
  if (j.contains("cpu")) {
    const auto cpu = j["cpu"].is_string() ? riscv::parse_cpu_profile(j["cpu"].get<std::string>()) : std::nullopt;
    if (!cpu) return Error{"configuration: cpu must be rv64gc, rva22 or rva23"};
    c.cpu = *cpu;
  }
  if (!j.contains("drives") || !j["drives"].is_array() || !j.contains("nets") || !j["nets"].is_array())
    return Error{"configuration: drives and nets must be arrays"};
  for (const json& d : j["drives"]) {
    DriveSpec s;
    if (!d.is_object() || !d.contains("file") || !d["file"].is_string() || !d.contains("readonly") ||
        !d["readonly"].is_boolean() || !d.contains("serial") || !d["serial"].is_string() || !d.contains("bps") ||
        !d["bps"].is_number_unsigned() || !d.contains("iops") || !d["iops"].is_number_unsigned())
      return Error{"configuration: malformed drive " + d.dump()};
    s.file = d["file"];
    s.read_only = d["readonly"];
    s.serial = d["serial"];
    s.bps = d["bps"];
    s.iops = d["iops"];
    if (d.contains("format")) {
      if (!d["format"].is_string() || !(s.format = storage::parse_format(d["format"].get<std::string>())))
        return Error{"configuration: malformed drive format " + d.dump()};
    }
    if (d.contains("bus")) {  // absent before virtio-pci: mmio
      std::optional<Bus> bus;
      if (!d["bus"].is_string() || !(bus = parse_bus(d["bus"].get<std::string>())))
        return Error{"configuration: malformed drive bus " + d.dump()};
      s.bus = *bus;
    }
    c.drives.push_back(s);
  }
  for (const json& n : j["nets"]) {
    if (!n.is_object() || !n.contains("spec") || !n["spec"].is_string() || !n.contains("bps") ||
        !n["bps"].is_number_unsigned() || !n.contains("pps") || !n["pps"].is_number_unsigned())
      return Error{"configuration: malformed net " + n.dump()};
    auto s = parse_net(n["spec"].get<std::string>());
    if (!s) return Error{"configuration: " + s.error()};
    s.value().bps = n["bps"];
    s.value().pps = n["pps"];
    c.nets.push_back(s.value());
  }
  if (j.contains("vsock")) {  // absent: no vsock device (and in snapshots from before it existed)
    const json& v = j["vsock"];
    if (!v.is_object() || !v.contains("cid") || !v["cid"].is_number_unsigned() || !v.contains("uds") ||
        !v["uds"].is_string())
      return Error{"configuration: malformed vsock " + v.dump()};
    std::string spec = "cid=" + std::to_string(v["cid"].get<uint64_t>());
    if (!v["uds"].get<std::string>().empty()) spec += ",uds=" + v["uds"].get<std::string>();
    if (v.contains("bus")) {
      if (!v["bus"].is_string()) return Error{"configuration: malformed vsock bus " + v.dump()};
      spec += ",bus=" + v["bus"].get<std::string>();
    }
    auto s = parse_vsock(spec);  // the same checks as the command line
    if (!s) return Error{"configuration: " + s.error()};
    c.vsock = s.value();
  }
  if (j.contains("shares")) {  // absent: none (and in snapshots from before shares existed)
    if (!j["shares"].is_array()) return Error{"configuration: malformed shares"};
    for (const json& s : j["shares"]) {
      if (!s.is_object() || !s.contains("tag") || !s["tag"].is_string() || !s.contains("path") ||
          !s["path"].is_string() || !s.contains("readonly") || !s["readonly"].is_boolean() || !s.contains("bus") ||
          !s["bus"].is_string())
        return Error{"configuration: malformed share " + s.dump()};
      ShareSpec share;  // not parse_share: a path may hold a comma, and the directory is checked when opened
      share.tag = s["tag"];
      share.path = s["path"];
      share.read_only = s["readonly"];
      const auto bus = parse_bus(s["bus"].get<std::string>());
      if (!bus || share.tag.empty() || share.path.empty()) return Error{"configuration: malformed share " + s.dump()};
      share.bus = *bus;
      c.shares.push_back(share);
    }
    if (auto ok = check_shares(c.shares); !ok) return Error{"configuration: " + ok.error()};
  }
  return c;
}

}  // namespace vessel::vmm
