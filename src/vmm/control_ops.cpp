#include "vmm/control_ops.h"

#include "devices/virtio/block/block_device.h"
#include "devices/virtio/net/net_device.h"
#include "vmm/metrics.h"
#include "vmm/virtual_machine.h"

namespace vessel::vmm {

using nlohmann::json;

namespace {

std::string fail(const std::string& why) { return json{{"ok", false}, {"error", why}}.dump(); }

// Fields other than `allowed` are refused, so a typo never silently does nothing.
std::optional<std::string> unknown_field(const json& obj, std::initializer_list<const char*> allowed,
                                         const std::string& where) {
  for (const auto& [key, value] : obj.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) return "unknown field '" + key + "' in " + where;
  }
  return std::nullopt;
}

std::string snapshot_op(VirtualMachine& vm, const json& req) {
  if (auto bad = unknown_field(req, {"op", "path", "compress"}, "snapshot")) return fail(*bad);
  if (req.contains("compress") && !req["compress"].is_boolean()) return fail("\"compress\" must be true or false");
  if (!req.contains("path") || !req["path"].is_string() || req["path"].get<std::string>().empty() ||
      req["path"].get<std::string>()[0] != '/')
    return fail("snapshot needs an absolute \"path\"");
  auto r = vm.snapshot(req["path"].get<std::string>(), req.value("compress", false));
  if (!r) return fail(r.error());
  return json{{"ok", true},
              {"path", req["path"]},
              {"bytes", r->bytes},
              {"memory_pages", r->pages},
              {"compressed", req.value("compress", false)},
              {"seconds", r->seconds},
              {"pause_seconds", r->pause_seconds},
              {"state", vm.paused() ? "paused" : "running"}}
      .dump();
}

// Parses one {"index":N, <a>:N, <b>:N} entry against `count` devices.
std::optional<std::string> parse_entry(const json& e, size_t count, const char* kind, const char* a, const char* b,
                                       size_t& index, std::optional<uint64_t>& va, std::optional<uint64_t>& vb) {
  const std::string where = std::string(kind) + " entry";
  if (!e.is_object()) return where + " must be an object";
  if (auto bad = unknown_field(e, {"index", a, b}, where)) return bad;
  if (!e.contains("index") || !e["index"].is_number_unsigned()) return where + " needs an unsigned \"index\"";
  index = e["index"];
  if (index >= count) return std::string("no ") + kind + " with index " + std::to_string(index);
  for (auto [key, out] : {std::pair{a, &va}, std::pair{b, &vb}}) {
    if (!e.contains(key)) continue;
    if (!e[key].is_number_unsigned()) return where + ": \"" + key + "\" must be an unsigned number (0 = unlimited)";
    *out = e[key].get<uint64_t>();
  }
  return std::nullopt;
}

std::string limits_op(VirtualMachine& vm, const json& req) {
  if (auto bad = unknown_field(req, {"op", "cpu_cap", "drives", "nets"}, "limits")) return fail(*bad);
  // Everything is checked before anything changes.
  std::optional<double> cap;
  if (req.contains("cpu_cap")) {
    if (!req["cpu_cap"].is_number() || req["cpu_cap"].get<double>() < 0 || req["cpu_cap"].get<double>() > 1024)
      return fail("\"cpu_cap\" must be a number from 0 (unlimited) to 1024 (fraction of one host core)");
    cap = req["cpu_cap"].get<double>();
  }
  struct Change {
    size_t index;
    std::optional<uint64_t> a, b;
  };
  std::vector<Change> drives, nets;
  for (auto [key, list, count, a, b] : {std::tuple{"drives", &drives, vm.drives().size(), "bps", "iops"},
                                        std::tuple{"nets", &nets, vm.nics().size(), "bps", "pps"}}) {
    if (!req.contains(key)) continue;
    if (!req[key].is_array()) return fail(std::string("\"") + key + "\" must be an array");
    for (const json& e : req[key]) {
      Change c{};
      if (auto bad = parse_entry(e, count, key, a, b, c.index, c.a, c.b)) return fail(*bad);
      list->push_back(c);
    }
  }
  if (cap) vm.cpu_budget().set_cap(*cap);
  for (const Change& c : drives) {
    RateLimiter& l = vm.drives()[c.index]->limiter();
    const RateLimits old = l.limits();
    l.set({c.a.value_or(old.bytes_per_s), c.b.value_or(old.ops_per_s)});
  }
  for (const Change& c : nets) {
    for (RateLimiter* l : {&vm.nics()[c.index]->rx_limiter(), &vm.nics()[c.index]->tx_limiter()}) {
      const RateLimits old = l->limits();
      l->set({c.a.value_or(old.bytes_per_s), c.b.value_or(old.ops_per_s)});
    }
  }
  return json{{"ok", true}, {"limits", limits_json(vm)}}.dump();
}

}  // namespace

json limits_json(VirtualMachine& vm) {
  json drives = json::array(), nets = json::array();
  for (size_t i = 0; i < vm.drives().size(); ++i) {
    const RateLimits l = vm.drives()[i]->limiter().limits();
    drives.push_back({{"index", i}, {"bps", l.bytes_per_s}, {"iops", l.ops_per_s}});
  }
  for (size_t i = 0; i < vm.nics().size(); ++i) {
    const RateLimits l = vm.nics()[i]->tx_limiter().limits();
    nets.push_back({{"index", i}, {"bps", l.bytes_per_s}, {"pps", l.ops_per_s}});
  }
  return json{{"cpu_cap", vm.cpu_budget().cap()}, {"drives", drives}, {"nets", nets}};
}

std::optional<std::string> handle_vmm_op(VirtualMachine& vm, const json& req, const std::string& op) {
  if (op == "snapshot") return snapshot_op(vm, req);
  if (op == "limits") return limits_op(vm, req);
  if (op == "metrics") return metrics_json(vm).dump();
  if (auto answer = handle_migration_op(vm, req, op)) return answer;
  return std::nullopt;
}

}  // namespace vessel::vmm
