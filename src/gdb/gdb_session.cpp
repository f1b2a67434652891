#include "gdb/gdb_session.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "gdb/registers.h"
#include "gdb/stepper.h"

namespace vessel::gdb {

namespace {

std::string hex_bytes(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::optional<std::string> unhex(const std::string& text) {
  if (text.size() % 2) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); i += 2) {
    char* end = nullptr;
    const std::string byte = text.substr(i, 2);
    const long v = strtol(byte.c_str(), &end, 16);
    if (*end) return std::nullopt;
    out += static_cast<char>(v);
  }
  return out;
}

std::string le64(uint64_t v) {
  std::string b(8, '\0');
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  return hex_bytes(b);
}

std::optional<uint64_t> parse_le64(const std::string& hex) {
  auto bytes = unhex(hex);
  if (!bytes || bytes->size() != 8) return std::nullopt;
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>((*bytes)[i]);
  return v;
}

bool parse_hex(const std::string& s, uint64_t& v) {
  if (s.empty()) return false;
  char* end = nullptr;
  v = strtoull(s.c_str(), &end, 16);
  return *end == '\0';
}

// "ADDR,LEN" (and what follows LEN, if anything, in `rest`).
bool parse_range(const std::string& s, uint64_t& addr, uint64_t& len, std::string* rest = nullptr) {
  const size_t comma = s.find(',');
  if (comma == std::string::npos) return false;
  size_t end = s.find_first_of(":;", comma);
  if (rest) *rest = end == std::string::npos ? "" : s.substr(end + 1);
  return parse_hex(s.substr(0, comma), addr) && parse_hex(s.substr(comma + 1, end == std::string::npos ? end : end - comma - 1), len);
}

constexpr uint64_t kMaxTransfer = 0x2000;

}  // namespace

bool GdbSession::serve() {
  while (auto packet = client_.read_packet()) {
    if (*packet == "\x03") continue;  // stopped already
    auto reply = handle(*packet);
    if (!reply) return detached_;
    if (!client_.send_packet(*reply)) return false;
    if (no_ack_after_reply_) client_.set_no_ack(true);
    if (ended_ || detached_) return detached_;
  }
  return false;
}

std::string GdbSession::stop_reply(const StopEvent& e) const {
  if (e.kind == StopEvent::Kind::Exited) {
    char w[8];
    snprintf(w, sizeof w, "W%02x", e.exit_code & 0xff);
    return w;
  }
  char t[96];
  snprintf(t, sizeof t, "T%02xthread:%x;", e.kind == StopEvent::Kind::Interrupted ? 2 : 5, e.hart + 1);
  std::string r = t;
  if (e.kind == StopEvent::Kind::Breakpoint) r += "swbreak:;";
  if (e.kind == StopEvent::Kind::Watchpoint) {
    char w[40];
    snprintf(w, sizeof w, "%s:%lx;", e.watch_kind == 3 ? "rwatch" : e.watch_kind == 4 ? "awatch" : "watch",
             static_cast<unsigned long>(e.watch_address));
    r += w;
  }
  return r;
}

std::string GdbSession::resume(std::optional<unsigned> step) {
  last_ = target_.run(step, points_, client_);
  if (last_.kind == StopEvent::Kind::Exited) ended_ = true;
  else selected_ = last_.hart;
  return stop_reply(last_);
}

std::optional<uint64_t> GdbSession::translate(uint64_t address) {
  if (physical_) return address;
  riscv::Hart& h = target_.hart(selected_);
  uint64_t paddr = 0;
  if (h.translate(address, riscv::Access::Load, h.effective_data_priv(), paddr) != riscv::Hart::WalkResult::Ok)
    return std::nullopt;
  return paddr;
}

std::string GdbSession::read_memory(uint64_t address, uint64_t length) {
  std::string out;
  for (uint64_t a = address; a < address + length;) {
    const uint64_t chunk = std::min(address + length - a, 4096 - (a & 4095));  // pages translate apart
    const auto paddr = translate(a);
    const std::string bytes = paddr ? physical_bytes(target_.memory(), *paddr, chunk) : std::string();
    if (bytes.empty()) break;  // a partial answer is what gdb expects at the end of mapped memory
    out += bytes;
    a += chunk;
  }
  return out.empty() && length ? "E14" : hex_bytes(out);
}

bool GdbSession::write_memory(uint64_t address, const std::string& bytes) {
  for (uint64_t done = 0; done < bytes.size();) {
    const uint64_t a = address + done;
    const uint64_t chunk = std::min<uint64_t>(bytes.size() - done, 4096 - (a & 4095));
    const auto paddr = translate(a);
    uint8_t* p = paddr ? target_.memory().ram_ptr(*paddr, chunk) : nullptr;
    if (!p) return false;
    std::memcpy(p, bytes.data() + done, chunk);
    target_.memory().ram().mark_dirty(*paddr, chunk);
    done += chunk;
  }
  target_.code_changed();
  return true;
}

std::string GdbSession::set_point(bool insert, int type, uint64_t address, uint64_t kind) {
  if (type == 0 || type == 1) {
    if (insert) points_.breakpoints.insert(address);
    else points_.breakpoints.erase(address);
    return "OK";
  }
  if (type < 2 || type > 4) return "";
  const auto watch_kind = static_cast<DebugPoints::WatchKind>(type);
  auto& w = points_.watches;
  if (!insert) {
    for (auto it = w.begin(); it != w.end(); ++it)
      if (it->virtual_address == address && it->length == kind && it->kind == watch_kind) {
        w.erase(it);
        return "OK";
      }
    return "E01";
  }
  const auto paddr = translate(address);
  if (!paddr || (address & 4095) + kind > 4096 || !target_.memory().ram_ptr(*paddr, kind)) return "E01";
  w.push_back({*paddr, kind, address, {}, watch_kind});
  return "OK";
}

std::string GdbSession::monitor(const std::string& command) {
  std::string out;
  if (command == "phys on" || command == "phys off") {
    physical_ = command == "phys on";
    out = std::string("memory addresses are now ") + (physical_ ? "guest-physical" : "virtual (current translation)") + "\n";
  } else if (command == "phys") {
    out = std::string("memory addresses are ") + (physical_ ? "guest-physical" : "virtual") + "\n";
  } else if (command == "harts") {
    for (unsigned i = 0; i < target_.hart_count(); ++i) {
      riscv::Hart& h = target_.hart(i);
      char line[96];
      snprintf(line, sizeof line, "hart %u: pc 0x%lx, %s-mode%s\n", i, static_cast<unsigned long>(h.pc),
               h.priv == riscv::Priv::Machine ? "M" : h.priv == riscv::Priv::Supervisor ? "S" : "U", h.waiting ? ", in WFI" : "");
      out += line;
    }
  } else {
    out = "monitor commands: phys on|off (m, M and watchpoints on guest-physical addresses), harts\n";
  }
  return hex_bytes(out);
}

std::optional<std::string> GdbSession::handle(const std::string& p) {
  if (p.empty()) return "";
  const std::string args = p.substr(1);
  switch (p[0]) {
    case '?': return stop_reply(last_);
    case 'g': {
      std::string out;
      for (unsigned r = 0; r < kGeneralRegisters; ++r) out += le64(*read_register(target_.hart(selected_), r));
      return out;
    }
    case 'G': {
      if (args.size() < kGeneralRegisters * 16) return "E01";
      for (unsigned r = 0; r < kGeneralRegisters; ++r) {
        auto v = parse_le64(args.substr(r * 16, 16));
        if (!v || !write_register(target_.hart(selected_), r, *v)) return "E01";
      }
      return "OK";
    }
    case 'p': {
      uint64_t r = 0;
      if (!parse_hex(args, r)) return "E01";
      auto v = read_register(target_.hart(selected_), static_cast<unsigned>(r));
      return v ? le64(*v) : "E01";
    }
    case 'P': {
      const size_t eq = args.find('=');
      uint64_t r = 0;
      auto v = eq == std::string::npos ? std::nullopt : parse_le64(args.substr(eq + 1));
      if (!v || !parse_hex(args.substr(0, eq), r)) return "E01";
      return write_register(target_.hart(selected_), static_cast<unsigned>(r), *v) ? "OK" : "E01";
    }
    case 'm': {
      uint64_t a = 0, n = 0;
      if (!parse_range(args, a, n)) return "E01";
      return read_memory(a, std::min(n, kMaxTransfer));
    }
    case 'M':
    case 'X': {
      uint64_t a = 0, n = 0;
      std::string data;
      if (!parse_range(args, a, n, &data)) return "E01";
      std::optional<std::string> bytes = p[0] == 'M' ? unhex(data) : std::optional<std::string>(data);
      if (!bytes || bytes->size() != n) return "E01";
      return write_memory(a, *bytes) ? "OK" : "E14";
    }
    case 'Z':
    case 'z': {
      if (args.size() < 3 || args[1] != ',') return "E01";
      uint64_t a = 0, kind = 0;
      if (!parse_range(args.substr(2), a, kind)) return "E01";
      return set_point(p[0] == 'Z', args[0] - '0', a, kind);
    }
    case 'H': {
      if (args.size() < 2) return "E01";
      uint64_t tid = 0;
      if (args.substr(1) == "-1" || args.substr(1) == "0") return "OK";
      if (!parse_hex(args.substr(1), tid) || tid < 1 || tid > target_.hart_count()) return "E01";
      if (args[0] == 'g') selected_ = static_cast<unsigned>(tid - 1);
      return "OK";
    }
    case 'T': {
      uint64_t tid = 0;
      return parse_hex(args, tid) && tid >= 1 && tid <= target_.hart_count() ? "OK" : "E01";
    }
    case 'c':
    case 'C': return resume(std::nullopt);
    case 's':
    case 'S': return resume(selected_);
    case 'k':
      target_.kill();
      ended_ = true;
      return std::nullopt;
    case 'D':
      detached_ = true;
      return "OK";
    default: break;
  }
  if (p == "qSupported" || p.rfind("qSupported:", 0) == 0)
    return "PacketSize=4000;qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+;vContSupported+";
  if (p == "QStartNoAckMode") {
    no_ack_after_reply_ = true;  // this OK is still acknowledged
    return "OK";
  }
  if (p.rfind("qXfer:features:read:target.xml:", 0) == 0) {
    uint64_t off = 0, len = 0;
    if (!parse_range(p.substr(31), off, len)) return "E01";
    const std::string xml = target_description_xml();
    if (off >= xml.size()) return "l";
    const std::string part = xml.substr(off, len);
    return (off + part.size() >= xml.size() ? "l" : "m") + part;
  }
  if (p == "qfThreadInfo") {
    std::string r = "m";
    for (unsigned i = 0; i < target_.hart_count(); ++i) {
      char id[16];
      snprintf(id, sizeof id, "%s%x", i ? "," : "", i + 1);
      r += id;
    }
    return r;
  }
  if (p == "qsThreadInfo") return "l";
  if (p == "qC") {
    char r[16];
    snprintf(r, sizeof r, "QC%x", selected_ + 1);
    return r;
  }
  if (p == "qAttached") return "1";
  if (p.rfind("qThreadExtraInfo,", 0) == 0) {
    uint64_t tid = 0;
    if (!parse_hex(p.substr(17), tid) || tid < 1 || tid > target_.hart_count()) return "E01";
    return hex_bytes("hart " + std::to_string(tid - 1));
  }
  if (p.rfind("qRcmd,", 0) == 0) {
    auto command = unhex(p.substr(6));
    return command ? monitor(*command) : "E01";
  }
  if (p == "vCont?") return "vCont;c;C;s;S";
  if (p.rfind("vCont;", 0) == 0) {
    // The first action names what happens: s[:tid] steps that hart (others stay), c continues all.
    const std::string action = p.substr(6, p.find(';', 6) == std::string::npos ? std::string::npos : p.find(';', 6) - 6);
    if (action[0] == 's' || action[0] == 'S') {
      const size_t colon = action.find(':');
      uint64_t tid = selected_ + 1;
      if (colon != std::string::npos && !parse_hex(action.substr(colon + 1), tid)) return "E01";
      if (tid >= 1 && tid <= target_.hart_count()) selected_ = static_cast<unsigned>(tid - 1);
      return resume(selected_);
    }
    return resume(std::nullopt);
  }
  if (p == "qSymbol::") return "OK";
  return "";  // anything else: not supported, as the protocol says
}

}  // namespace vessel::gdb
