// Control-socket operations of live migration: "migrate" starts one in the background,
// "migrate-status" reports its progress (README.md, "Control socket").
#include <cctype>

#include "common/size.h"
#include "vmm/control_ops.h"
#include "vmm/migration_source.h"
#include "vmm/virtual_machine.h"

namespace vessel::vmm {
namespace {

using nlohmann::json;

std::string fail(const std::string& why) { return json{{"ok", false}, {"error", why}}.dump(); }

// Bytes per second: a number, or a string with a K/M/G suffix (powers of 1024); 0 = unlimited.
std::optional<uint64_t> parse_bandwidth(const json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (!v.is_string()) return std::nullopt;
  const std::string s = v.get<std::string>();
  if (s.empty()) return std::nullopt;
  if (isdigit(static_cast<unsigned char>(s.back()))) return parse_size(s + "B");
  return parse_size(s);
}

std::string migrate_op(VirtualMachine& vm, const json& req) {
  for (const auto& [key, value] : req.items())
    if (key != "op" && key != "to" && key != "downtime_ms" && key != "bandwidth" && key != "compress" &&
        key != "max_rounds" && key != "migrate_disks")
      return fail("unknown field '" + key + "' in migrate");
  MigrationParams p;
  if (!req.contains("to") || !req["to"].is_string())
    return fail("migrate needs \"to\": \"tcp:HOST:PORT\" or \"unix:PATH\"");
  p.to = req["to"];
  if (req.contains("downtime_ms")) {
    if (!req["downtime_ms"].is_number_unsigned() || req["downtime_ms"].get<uint64_t>() == 0)
      return fail("\"downtime_ms\" must be a positive number of milliseconds");
    p.downtime_ms = req["downtime_ms"];
  }
  if (req.contains("bandwidth")) {
    const auto b = parse_bandwidth(req["bandwidth"]);
    if (!b) return fail("\"bandwidth\" must be bytes per second: a number or a string such as \"1G\" (0 = unlimited)");
    p.bandwidth = *b;
  }
  if (req.contains("compress")) {
    if (!req["compress"].is_boolean()) return fail("\"compress\" must be true or false");
    p.compress = req["compress"];
  }
  if (req.contains("max_rounds")) {
    if (!req["max_rounds"].is_number_unsigned() || req["max_rounds"].get<uint64_t>() == 0 ||
        req["max_rounds"].get<uint64_t>() > 1000)
      return fail("\"max_rounds\" must be 1 to 1000");
    p.max_rounds = req["max_rounds"];
  }
  if (req.contains("migrate_disks")) {
    if (!req["migrate_disks"].is_boolean()) return fail("\"migrate_disks\" must be true or false");
    p.migrate_disks = req["migrate_disks"];
  }
  if (auto r = vm.start_migration(p); !r) return fail(r.error());
  return json{{"ok", true}, {"phase", "setup"}, {"to", p.to}}.dump();
}

}  // namespace

std::optional<std::string> handle_migration_op(VirtualMachine& vm, const json& req, const std::string& op) {
  if (op == "migrate") return migrate_op(vm, req);
  if (op == "migrate-status") {
    const std::string s = vm.migration_status();
    return s.empty() ? json{{"ok", true}, {"phase", "none"}}.dump() : s;
  }
  return std::nullopt;
}

}  // namespace vessel::vmm
