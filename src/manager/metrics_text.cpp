// Registry::metrics_text: the Prometheus text exposition format, one sample per VM (and per
// drive / NIC). Process figures come from /proc; guest figures from the VMM's "metrics"
// control op when it has one, mapped generically (numbers become samples) so new counters
// appear without daemon changes.
#include <map>
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

// Counters end in _total by convention; everything we cannot tell is a gauge.
void add_number(Families& f, const std::string& base, const std::string& labels, const json& v) {
  if (!v.is_number()) return;
  const bool counter = base.size() > 6 && base.compare(base.size() - 6, 6, "_total") == 0;
  f.add(base, counter ? "counter" : "gauge", labels, v.get<double>());
}

void add_guest_metrics(Families& f, const std::string& vm_label, const json& m) {
  for (auto it = m.begin(); it != m.end(); ++it) {
    const std::string key = sanitize(it.key());
    if (it.key() == "ok") continue;
    if (it.value().is_number()) {
      add_number(f, "vessel_vm_" + key, vm_label, it.value());
    } else if (it.value().is_array() && (it.key() == "drives" || it.key() == "nets")) {
      const std::string kind = it.key() == "drives" ? "drive" : "net";
      for (size_t i = 0; i < it.value().size(); ++i) {
        const json& dev = it.value()[i];
        if (!dev.is_object()) continue;
        const std::string labels = vm_label + "," + kind + "=\"" + std::to_string(i) + "\"";
        for (auto d = dev.begin(); d != dev.end(); ++d)
          add_number(f, "vessel_vm_" + kind + "_" + sanitize(d.key()), labels, d.value());
      }
    } else if (it.value().is_object()) {
      for (auto d = it.value().begin(); d != it.value().end(); ++d)
        add_number(f, "vessel_vm_" + key + "_" + sanitize(d.key()), vm_label, d.value());
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
    f.add("vessel_vm_rss_bytes", "gauge", label, static_cast<double>(process_rss_bytes(run->proc.pid)));
    f.add("vessel_vm_host_cpu_seconds_total", "counter", label, process_cpu_seconds(run->proc.pid));
    f.add("vessel_vm_uptime_seconds", "gauge", label, process_uptime_seconds(run->proc));
    const std::string ctl = state_.control_socket(name);
    auto m = control_request(ctl, {{"op", "metrics"}}, 2s);
    if (m && m->value("ok", false)) {
      add_guest_metrics(f, label, m.value());
    } else if (auto st = control_request(ctl, {{"op", "status"}}, 2s); st && st->value("ok", false)) {
      if (st->contains("instructions"))
        add_number(f, "vessel_vm_instructions_total", label, st.value()["instructions"]);
      f.add("vessel_vm_paused", "gauge", label, st->value("paused", false) ? 1 : 0);
    }
  }
  return f.text();
}

}  // namespace vessel::manager
