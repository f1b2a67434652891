#include "container/quick_run.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>

#include "container/default_spec.h"
#include "container/error.h"
#include "container/lifecycle.h"

namespace vessel::container {

uint64_t parse_size(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || !(value > 0) || !std::isfinite(value)) throw_bad_input("invalid size '" + text + "'");
  std::string unit(end);
  if (!unit.empty() && (unit.back() == 'b' || unit.back() == 'B') && unit.size() > 1) unit.pop_back();
  double scale = 1;
  if (unit.empty() || unit == "b" || unit == "B") scale = 1;
  else if (unit == "k" || unit == "K") scale = 1024.0;
  else if (unit == "m" || unit == "M") scale = 1024.0 * 1024;
  else if (unit == "g" || unit == "G") scale = 1024.0 * 1024 * 1024;
  else throw_bad_input("invalid size '" + text + "': use a number with k, m or g");
  return static_cast<uint64_t>(value * scale);
}

const std::vector<FlagSpec>& quick_run_flags() {
  static const std::vector<FlagSpec> kFlags = {
      {{"rootfs"}, true},   {{"memory", "m"}, true}, {{"cpus"}, true},     {{"pids-limit"}, true},
      {{"name"}, true},     {{"hostname"}, true},    {{"env", "e"}, true}, {{"cwd", "w"}, true},
      {{"user", "u"}, true}, {{"no-overlay"}, false}, {{"net"}, true},     {{"detach", "d"}, false},
      {{"pid-file"}, true}, {{"tty", "t"}, false},
  };
  return kFlags;
}

QuickRunOptions quick_run_options(const ParsedFlags& flags) {
  QuickRunOptions o;
  o.rootfs = flags.value("rootfs");
  if (o.rootfs.empty()) throw_bad_input("run: --rootfs DIR is required");
  if (flags.has("memory")) o.memory_bytes = parse_size(flags.value("memory"));
  if (flags.has("cpus")) {
    char* end = nullptr;
    const std::string v = flags.value("cpus");
    const double cpus = std::strtod(v.c_str(), &end);
    if (end == v.c_str() || *end || !(cpus > 0) || cpus > 4096) throw_bad_input("run: invalid --cpus '" + v + "'");
    o.cpus = cpus;
  }
  if (flags.has("pids-limit")) {
    const std::string v = flags.value("pids-limit");
    char* end = nullptr;
    const long long n = std::strtoll(v.c_str(), &end, 10);
    if (end == v.c_str() || *end || n <= 0) throw_bad_input("run: invalid --pids-limit '" + v + "'");
    o.pids_limit = n;
  }
  o.id = flags.value("name");
  o.hostname = flags.value("hostname", o.hostname);
  o.env = flags.values("env");
  o.cwd = flags.value("cwd", "/");
  if (flags.has("user")) {
    const std::string u = flags.value("user");
    char* end = nullptr;
    o.uid = static_cast<uint32_t>(std::strtoul(u.c_str(), &end, 10));
    if (end == u.c_str() || (*end && *end != ':')) throw_bad_input("run: --user takes UID[:GID]");
    o.gid = *end == ':' ? static_cast<uint32_t>(std::strtoul(end + 1, nullptr, 10)) : o.uid;
  }
  o.overlay = !flags.flag("no-overlay");
  const std::string net = flags.value("net", "none");
  if (net != "none" && net != "host") throw_bad_input("run: --net must be none or host");
  o.host_network = net == "host";
  o.detach = flags.flag("detach");
  o.pid_file = flags.value("pid-file");
  o.tty = flags.flag("tty");
  o.args = flags.positionals();
  if (o.args.empty()) throw_bad_input("run: give the command after the options, e.g. -- /bin/sh -c 'echo hi'");
  return o;
}

nlohmann::json quick_run_config(const QuickRunOptions& o) {
  char real[4096];
  if (!realpath(o.rootfs.c_str(), real)) throw_bad_input("run: rootfs " + o.rootfs + " does not exist");
  nlohmann::json config = default_spec(o.args, real);
  // The overlay upper layer is the container's own: the root can be writable.
  config["root"]["readonly"] = !o.overlay;
  config["hostname"] = o.hostname;
  auto& process = config["process"];
  for (const auto& e : o.env) process["env"].push_back(e);
  process["cwd"] = o.cwd;
  process["terminal"] = o.tty;
  process["user"] = {{"uid", o.uid}, {"gid", o.gid}};
  auto& resources = config["linux"]["resources"];
  resources = nlohmann::json::object();
  if (o.memory_bytes) resources["memory"] = {{"limit", *o.memory_bytes}};
  if (o.cpus) resources["cpu"] = {{"quota", static_cast<int64_t>(*o.cpus * 100000)}, {"period", 100000}};
  if (o.pids_limit) resources["pids"] = {{"limit", *o.pids_limit}};
  if (o.host_network) {
    auto& nss = config["linux"]["namespaces"];
    for (auto it = nss.begin(); it != nss.end(); ++it)
      if ((*it)["type"] == "network") {
        nss.erase(it);
        break;
      }
  }
  return config;
}

int quick_run(Runtime& runtime, const QuickRunOptions& o) {
  CreateOptions create;
  create.id = o.id;
  if (create.id.empty()) {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    create.id = "vessel-" + std::to_string(getpid()) + "-" + std::to_string(ts.tv_nsec);
  }
  create.config = quick_run_config(o);
  create.overlay_rootfs = o.overlay;
  create.pid_file = o.pid_file;
  return runtime.run(create, o.detach);
}

}  // namespace vessel::container
