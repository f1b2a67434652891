#include "vmm/device_spec.h"

#include <sys/stat.h>
#include <sys/un.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "storage/open_disk.h"

namespace vessel::vmm {

std::optional<bool> parse_bool(const std::string& t) {
  if (t == "on" || t == "true" || t == "yes" || t == "1") return true;
  if (t == "off" || t == "false" || t == "no" || t == "0") return false;
  return std::nullopt;
}

std::optional<uint64_t> parse_rate(const std::string& t) {
  uint64_t n = 0;
  size_t i = 0;
  for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) {
    if (n > (UINT64_MAX - 9) / 10) return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(t[i] - '0');
  }
  if (i == 0 || i + 1 < t.size()) return std::nullopt;
  const int shift = i == t.size() ? 0 : t[i] == 'K' || t[i] == 'k' ? 10 : t[i] == 'M' || t[i] == 'm' ? 20 : t[i] == 'G' || t[i] == 'g' ? 30 : -1;
  if (shift < 0 || n > (UINT64_MAX >> shift)) return std::nullopt;
  return n << shift;
}

const char* to_string(Bus bus) { return bus == Bus::Pci ? "pci" : "mmio"; }

std::optional<Bus> parse_bus(const std::string& t) {
  if (t == "mmio") return Bus::Mmio;
  if (t == "pci") return Bus::Pci;
  return std::nullopt;
}

Result<std::map<std::string, std::string>> parse_options(const std::string& text) {
  std::map<std::string, std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) return Error{"'" + item + "' is not of the form key=value in '" + text + "'"};
    const std::string key = item.substr(0, eq);
    if (key.empty()) return Error{"empty option name in '" + text + "'"};
    if (!out.emplace(key, item.substr(eq + 1)).second) return Error{"option '" + key + "' given twice"};
  }
  return out;
}

Result<DriveSpec> parse_drive(const std::string& text) {
  auto opts = parse_options(text);
  if (!opts) return Error{"--drive: " + opts.error()};
  DriveSpec d;
  for (const auto& [k, v] : opts.value()) {
    if (k == "file") {
      d.file = v;
    } else if (k == "format") {
      d.format = storage::parse_format(v);
      if (!d.format) return Error{"--drive: unknown format '" + v + "' (raw or qcow2)"};
    } else if (k == "readonly") {
      const auto b = parse_bool(v);
      if (!b) return Error{"--drive: readonly must be on or off, not '" + v + "'"};
      d.read_only = *b;
    } else if (k == "serial") {
      if (v.size() > 20) return Error{"--drive: serial is at most 20 characters"};
      d.serial = v;
    } else if (k == "bps" || k == "iops") {
      const auto r = parse_rate(v);
      if (!r) return Error{"--drive: " + k + " must be a number (K, M, G suffixes allowed), not '" + v + "'"};
      (k == "bps" ? d.bps : d.iops) = *r;
    } else if (k == "bus") {
      const auto b = parse_bus(v);
      if (!b) return Error{"--drive: bus must be mmio or pci, not '" + v + "'"};
      d.bus = *b;
    } else {
      return Error{"--drive: unknown option '" + k + "' (file, format, readonly, serial, bps, iops, bus)"};
    }
  }
  if (d.file.empty()) return Error{"--drive: file=PATH is required"};
  return d;
}

namespace {

// "52:54:00:12:34:56"; multicast addresses cannot belong to a NIC.
std::optional<std::array<uint8_t, 6>> parse_mac(const std::string& t) {
  std::array<uint8_t, 6> mac;
  unsigned b[6];
  char tail;
  if (t.size() != 17 || sscanf(t.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
    return std::nullopt;
  for (int i = 0; i < 6; ++i) mac[i] = static_cast<uint8_t>(b[i]);
  if (mac[0] & 1) return std::nullopt;
  return mac;
}

}  // namespace

Result<NetSpec> parse_net(const std::string& text) {
  // Not parse_options: hostfwd may be given several times.
  NetSpec n;
  std::stringstream ss(text);
  std::string item;
  if (!std::getline(ss, item, ',') || (item != "user" && item != "tap" && item != "vde"))
    return Error{"--net: expected user[,hostfwd=...][,mac=...], tap,ifname=NAME[,mac=...] or vde,sock=PATH[,mac=...], not '" +
                 text + "'"};
  n.kind = item == "user" ? NetSpec::Kind::User : item == "tap" ? NetSpec::Kind::Tap : NetSpec::Kind::Vde;
  while (std::getline(ss, item, ',')) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) return Error{"--net: '" + item + "' is not of the form key=value"};
    const std::string k = item.substr(0, eq), v = item.substr(eq + 1);
    if (k == "mac") {
      if (n.mac) return Error{"--net: mac given twice"};
      n.mac = parse_mac(v);
      if (!n.mac) return Error{"--net: mac '" + v + "' is not a unicast address like 52:54:00:12:34:56"};
    } else if (k == "bps" || k == "pps") {
      const auto r = parse_rate(v);
      if (!r) return Error{"--net: " + k + " must be a number (K, M, G suffixes allowed), not '" + v + "'"};
      (k == "bps" ? n.bps : n.pps) = *r;
    } else if (k == "bus") {
      const auto b = parse_bus(v);
      if (!b) return Error{"--net: bus must be mmio or pci, not '" + v + "'"};
      n.bus = *b;
    } else if (k == "antispoof") {
      n.antispoof = parse_bool(v);
      if (!n.antispoof) return Error{"--net: antispoof must be on or off, not '" + v + "'"};
    } else if (k == "hostfwd" && n.kind == NetSpec::Kind::User) {
      auto f = net::parse_hostfwd(v);
      if (!f) return Error{"--net: " + f.error()};
      n.hostfwds.push_back(f.value());
    } else if (k == "ifname" && n.kind == NetSpec::Kind::Tap) {
      if (!n.ifname.empty()) return Error{"--net: ifname given twice"};
      if (v.empty() || v.size() > 15) return Error{"--net: ifname must be 1..15 characters"};
      n.ifname = v;
    } else if (k == "sock" && n.kind == NetSpec::Kind::Vde) {
      if (!n.sock.empty()) return Error{"--net: sock given twice"};
      if (v.empty()) return Error{"--net vde: sock must be the switch's socket directory"};
      n.sock = v;
    } else {
      static const char* const kKeys[] = {"user (hostfwd, mac, bps, pps, antispoof, bus)",
                                          "tap (ifname, mac, bps, pps, antispoof, bus)",
                                          "vde (sock, mac, bps, pps, antispoof, bus)"};
      return Error{"--net: unknown option '" + k + "' for " + kKeys[static_cast<int>(n.kind)]};
    }
  }
  if (n.kind == NetSpec::Kind::Tap && n.ifname.empty()) return Error{"--net tap: ifname=NAME is required"};
  if (n.kind == NetSpec::Kind::Vde && n.sock.empty()) return Error{"--net vde: sock=PATH is required"};
  return n;
}

Result<VsockSpec> parse_vsock(const std::string& text) {
  auto opts = parse_options(text);
  if (!opts) return Error{"--vsock: " + opts.error()};
  VsockSpec v;
  bool have_cid = false;
  for (const auto& [k, val] : opts.value()) {
    if (k == "cid") {
      // Linux takes the low 32 bits; 0, 1 and 2 are the hypervisor, local and host addresses.
      char* end = nullptr;
      errno = 0;
      const unsigned long long n = strtoull(val.c_str(), &end, 10);
      if (val.empty() || !isdigit(static_cast<unsigned char>(val[0])) || *end || errno || n < 3 || n >= 0xffffffffull)
        return Error{"--vsock: cid must be a number from 3 to 4294967294, not '" + val + "'"};
      v.cid = n;
      have_cid = true;
    } else if (k == "uds") {
      if (val.empty()) return Error{"--vsock: uds must be a path"};
      // Guest connections to host port P use PATH_P: leave room for "_4294967295".
      if (val.size() + 11 >= sizeof(sockaddr_un{}.sun_path))
        return Error{"--vsock: uds path is too long for a Unix socket (with its _PORT suffix): " + val};
      v.uds = val;
    } else if (k == "bus") {
      const auto b = parse_bus(val);
      if (!b) return Error{"--vsock: bus must be mmio or pci, not '" + val + "'"};
      v.bus = *b;
    } else {
      return Error{"--vsock: unknown option '" + k + "' (cid, uds, bus)"};
    }
  }
  if (!have_cid) return Error{"--vsock: cid=N is required"};
  return v;
}

Result<ShareSpec> parse_share(const std::string& text) {
  auto opts = parse_options(text);
  if (!opts) return Error{"--share: " + opts.error()};
  ShareSpec s;
  for (const auto& [k, val] : opts.value()) {
    if (k == "tag") {
      // Linux reads the tag from config space and matches it against mount's device name.
      bool plain = !val.empty() && val.size() <= 64;
      for (char c : val) plain = plain && (isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.');
      if (!plain) return Error{"--share: tag must be 1 to 64 letters, digits, '_', '-' or '.', not '" + val + "'"};
      s.tag = val;
    } else if (k == "path") {
      if (val.empty()) return Error{"--share: path must be a directory"};
      s.path = val;
    } else if (k == "readonly") {
      const auto b = parse_bool(val);
      if (!b) return Error{"--share: readonly must be on or off, not '" + val + "'"};
      s.read_only = *b;
    } else if (k == "bus") {
      const auto b = parse_bus(val);
      if (!b) return Error{"--share: bus must be mmio or pci, not '" + val + "'"};
      s.bus = *b;
    } else {
      return Error{"--share: unknown option '" + k + "' (tag, path, readonly, bus)"};
    }
  }
  if (s.tag.empty()) return Error{"--share: tag=NAME is required (the guest mounts the share by it)"};
  if (s.path.empty()) return Error{"--share: path=DIR is required"};
  struct stat st {};
  if (stat(s.path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Error{"--share: " + s.path + " is not a directory"};
  // Absolute: the VM configuration (snapshots, migration) must not depend on the cwd.
  s.path = std::filesystem::absolute(s.path).lexically_normal().string();
  if (s.path.size() > 1 && s.path.back() == '/') s.path.pop_back();
  return s;
}

std::string to_string(const ShareSpec& share) {
  std::string s = "tag=";
  s += share.tag;
  s += ",path=";
  s += share.path;
  if (share.read_only) s += ",readonly=on";
  if (share.bus != Bus::Mmio) s += std::string(",bus=") + to_string(share.bus);
  return s;
}

Result<bool> check_shares(const std::vector<ShareSpec>& shares) {
  for (size_t i = 0; i < shares.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (shares[i].tag == shares[j].tag) return Error{"--share: tag '" + shares[i].tag + "' is given twice"};
  return true;
}

}  // namespace vessel::vmm
