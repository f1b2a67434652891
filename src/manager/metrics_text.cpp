// Registry::metrics_text: the Prometheus text exposition format, one sample per VM (and per
// drive / NIC). Process figures come from /proc; guest figures from the VMM's "metrics"
// control op when it has one, mapped generically (numbers become samples) so new counters
// appear without daemon changes.
#include <map>
#include <set>
#include <sstream>

#include "manager/control_client.h"
#include "manager/registry.h"

namespace vessel::manager {

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string sanitize(const std::string& key) {
  std::string s;
  for (char c : key) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return s;
}

std::string escape_label(const std::string& v) {
  std::string s;
  for (char c : v) {
    if (c == '\\' || c == '"') s += '\\';
    if (c == '\n') {
      s += "\\n";
      continue;
    }
    s += c;
  }
  return s;
}

class Families {
 public:
  void add(const std::string& name, const std::string& type, const std::string& labels, double value) {
    auto& f = families_[name];
    f.type = type;
    std::ostringstream line;
    line.precision(17);
    line << name << "{" << labels << "} " << value;
    f.lines.push_back(line.str());
  }
  std::string text() const {
    std::string out;
    for (const auto& [name, f] : families_) {
      out += "# TYPE " + name + " " + f.type + "\n";
      for (const auto& l : f.lines) out += l + "\n";
    }
    return out;
  }

 private:
  struct Family {
    std::string type;
    std::vector<std::string> lines;
  };
  std::map<std::string, Family> families_;
};

void add_number(Families& f, const std::string& name, const char* type, const std::string& labels, const json& v) {
  if (v.is_number()) f.add(name, type, labels, v.get<double>());
}

// The VMM's "metrics" answer. Known counters get Prometheus names (…_total); other numbers
// are exported as gauges under vessel_vm_<key>, so new figures appear without daemon changes.
// Figures the daemon reads itself from /proc (RSS, uptime, guest memory) are skipped here.
void add_guest_metrics(Families& f, const std::string& vm_label, const json& m) {
  static const std::set<std::string> kSkip = {"ok", "state", "uptime_seconds", "host_rss_bytes", "guest_memory_bytes"};
  static const std::map<std::string, std::string> kCounters = {
      {"vcpu_seconds", "vessel_vm_vcpu_seconds_total"},
      {"vcpu_throttled_seconds", "vessel_vm_vcpu_throttled_seconds_total"},
      {"instructions", "vessel_vm_instructions_total"},
      {"exits", "vessel_vm_exits_total"}};
  for (auto it = m.begin(); it != m.end(); ++it) {
    const std::string key = it.key();
    if (kSkip.count(key)) continue;
    if (it.value().is_number()) {
      if (auto c = kCounters.find(key); c != kCounters.end()) add_number(f, c->second, "counter", vm_label, it.value());
      else if (key.rfind("exits_", 0) == 0)
        add_number(f, "vessel_vm_exits_by_kind_total", "counter", vm_label + ",kind=\"" + sanitize(key.substr(6)) + "\"",
                   it.value());
      else add_number(f, "vessel_vm_" + sanitize(key), "gauge", vm_label, it.value());
    } else if (it.value().is_array() && (key == "drives" || key == "nets" || key == "harts")) {
      const std::string kind = key == "drives" ? "drive" : key == "nets" ? "net" : "hart";
      for (size_t i = 0; i < it.value().size(); ++i) {
        const json& dev = it.value()[i];
        if (!dev.is_object()) continue;
        const std::string labels = vm_label + "," + kind + "=\"" + std::to_string(i) + "\"";
        for (auto d = dev.begin(); d != dev.end(); ++d) {
          if (d.key() == "index" || d.key() == "hart") continue;
          // Device figures are all counts since start.
          add_number(f, "vessel_vm_" + kind + "_" + sanitize(d.key()) + "_total", "counter", labels, d.value());
        }
      }
    }
  }
}

}  // namespace

std::string Registry::metrics_text() {
  std::vector<std::shared_ptr<Entry>> entries;
  {
    std::lock_guard lock(table_mutex_);
    for (auto& [n, e] : table_) entries.push_back(e);
  }
  Families f;
  for (auto& e : entries) {
    std::optional<Runtime> run;
    std::string name;
    uint64_t memory = 0;
    {
      std::lock_guard d(e->data);
      check_exit_locked(*e);
      run = e->run;
      name = e->def.name;
      memory = e->def.memory_bytes;
    }
    const std::string label = "vm=\"" + escape_label(name) + "\"";
    f.add("vessel_vm_up", "gauge", label, run ? 1 : 0);
    f.add("vessel_vm_memory_bytes", "gauge", label, static_cast<double>(memory));
    if (!run) continue;
    f.add("vessel_vm_rss_bytes", "gauge", label, static_cast<double>(process_rss_bytes(vmm_pid(*run))));
    if (auto shared = process_ksm_merging_bytes(vmm_pid(*run)))
      f.add("vessel_vm_ksm_merging_bytes", "gauge", label, static_cast<double>(*shared));
    f.add("vessel_vm_host_cpu_seconds_total", "counter", label, process_cpu_seconds(vmm_pid(*run)));
    f.add("vessel_vm_uptime_seconds", "gauge", label, process_uptime_seconds(run->proc));
    const std::string ctl = state_.control_socket(name);
    auto m = control_request(ctl, {{"op", "metrics"}}, 2s);
    if (m && m->value("ok", false)) {
      add_guest_metrics(f, label, m.value());
    } else if (auto st = control_request(ctl, {{"op", "status"}}, 2s); st && st->value("ok", false)) {
      if (st->contains("instructions"))
        add_number(f, "vessel_vm_instructions_total", "counter", label, st.value()["instructions"]);
      f.add("vessel_vm_paused", "gauge", label, st->value("paused", false) ? 1 : 0);
    }
  }
  return f.text();
}

}  // namespace vessel::manager
