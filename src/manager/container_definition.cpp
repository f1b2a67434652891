#include "manager/container_definition.h"

#include <sys/stat.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "common/size.h"
#include "container/default_spec.h"
#include "manager/json_fields.h"
#include "manager/vm_definition.h"

namespace vessel::manager {

namespace {

constexpr uint64_t kMinMemory = 4ull << 20;

std::optional<ManagerError> parse_limits_fields(const json& body, const std::string& where, ContainerLimits& out) {
  Fields f(body, where);
  TRY(f.check_object());
  TRY(f.unknown({"memory", "cpus", "pids"}));
  if (f.has("memory")) {
    std::string memory;
    if (f["memory"].is_number_unsigned()) {
      out.memory_bytes = f["memory"].get<uint64_t>() << 20;  // a bare number means MiB, as for VMs
    } else {
      TRY(f.string("memory", memory));
      const auto bytes = parse_size(memory);
      if (!bytes) return invalid("invalid memory '" + memory + "' (e.g. \"64M\", \"1G\", or 0 for no limit)", "invalid_size");
      out.memory_bytes = *bytes;
    }
    if (out.memory_bytes != 0 && out.memory_bytes < kMinMemory)
      return invalid("field '" + f.prefix() + "memory' must be 0 (no limit) or at least 4M", "invalid_limit");
  }
  TRY(f.number("cpus", out.cpus));
  if (!std::isfinite(out.cpus) || out.cpus < 0 || out.cpus > 1024)
    return invalid("field '" + f.prefix() + "cpus' must be between 0 (no limit) and 1024", "invalid_limit");
  TRY(f.unsigned_int("pids", out.pids));
  return std::nullopt;
}

std::optional<ManagerError> parse_body(const json& body, ContainerDefinition& d, bool& start) {
  Fields f(body, "request body");
  TRY(f.check_object());
  TRY(f.unknown({"name", "image", "rootfs", "command", "env", "workdir", "user", "hostname", "network", "limits",
                 "read_only", "autostart", "start"}));
  TRY(f.string("name", d.name, true));
  if (!valid_vm_name(d.name))
    return invalid("invalid container name '" + d.name + "' (1 to 63 of a-z A-Z 0-9 . _ -, starting with a letter or digit)",
                   "invalid_name");
  TRY(f.string("image", d.image));
  TRY(f.string("rootfs", d.rootfs));
  if (d.image.empty() == d.rootfs.empty()) return invalid("give exactly one of 'image' and 'rootfs'", "missing_field");
  TRY(f.strings("command", d.command));
  TRY(f.strings("env", d.env));
  for (const auto& e : d.env)
    if (e.find('=') == std::string::npos || e[0] == '=') return invalid("field 'env' entries must be NAME=VALUE", "invalid_argument");
  TRY(f.string("workdir", d.workdir));
  if (!d.workdir.empty() && d.workdir[0] != '/') return invalid("field 'workdir' must be an absolute path", "invalid_path");
  TRY(f.string("user", d.user));
  TRY(f.string("hostname", d.hostname));
  TRY(f.string("network", d.network));
  if (d.network != "none" && d.network != "host") return invalid("field 'network' must be none or host", "invalid_argument");
  if (f.has("limits")) TRY(parse_limits_fields(f["limits"], "limits", d.limits));
  TRY(f.boolean("read_only", d.read_only));
  TRY(f.boolean("autostart", d.autostart));
  TRY(f.boolean("start", start));
  return std::nullopt;
}

// /etc/passwd or /etc/group of the root filesystem: the id of `name`, or of a number.
std::optional<uint32_t> lookup_id(const std::string& base, const char* file, const std::string& name) {
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) {
    try {
      return static_cast<uint32_t>(std::stoul(name));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  std::ifstream in(base + file);
  for (std::string line; std::getline(in, line);) {
    std::stringstream ss(line);
    std::string field, id;
    std::getline(ss, field, ':');
    if (field != name) continue;
    std::getline(ss, field, ':');  // password
    std::getline(ss, id, ':');
    try {
      return static_cast<uint32_t>(std::stoul(id));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// A user's primary group from /etc/passwd (the field after the uid).
uint32_t primary_group(const std::string& base, uint32_t uid) {
  std::ifstream in(base + "/etc/passwd");
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> parts;
    std::stringstream ss(line);
    for (std::string p; std::getline(ss, p, ':');) parts.push_back(p);
    if (parts.size() > 3 && parts[2] == std::to_string(uid)) {
      try {
        return static_cast<uint32_t>(std::stoul(parts[3]));
      } catch (const std::exception&) {
        break;
      }
    }
  }
  return uid == 0 ? 0 : uid;
}

}  // namespace

Outcome<ContainerDefinition> parse_container_definition(const json& body, const ImageStore& images, bool& start) {
  ContainerDefinition d;
  start = false;
  if (auto e = parse_body(body, d, start)) return *e;
  if (!d.image.empty() && !images.find(d.image))
    return invalid("no image named '" + d.image + "' (vessel image import FILE)", "image_not_found");
  if (!d.rootfs.empty()) {
    struct stat st {};
    if (d.rootfs[0] != '/') return invalid("field 'rootfs' must be an absolute path", "invalid_path");
    if (stat(d.rootfs.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return invalid("rootfs " + d.rootfs + " is not a directory", "file_not_found");
  }
  return d;
}

Outcome<ContainerDefinition> container_from_store(const json& stored) {
  ContainerDefinition d;
  bool start = false;
  if (auto e = parse_body(stored, d, start)) return *e;
  return d;
}

json to_json(const ContainerLimits& l) {
  return {{"memory", l.memory_bytes ? format_size(l.memory_bytes) : "0"}, {"cpus", l.cpus}, {"pids", l.pids}};
}

json to_json(const ContainerDefinition& d) {
  json j = {{"name", d.name},          {"command", d.command}, {"env", d.env},         {"workdir", d.workdir},
            {"user", d.user},          {"hostname", d.hostname}, {"network", d.network}, {"limits", to_json(d.limits)},
            {"read_only", d.read_only}, {"autostart", d.autostart}};
  if (!d.image.empty()) j["image"] = d.image;
  else j["rootfs"] = d.rootfs;
  return j;
}

Outcome<ContainerLimits> parse_container_limits(const json& body, const ContainerLimits& current) {
  ContainerLimits l = current;
  if (auto e = parse_limits_fields(body, "request body", l)) return *e;
  return l;
}

std::vector<std::string> update_args(const ContainerLimits& l) {
  constexpr uint64_t kPeriod = 100000;
  const long long quota = l.cpus > 0 ? std::max<long long>(1000, std::llround(l.cpus * kPeriod)) : -1;
  return {"--memory",     l.memory_bytes ? std::to_string(l.memory_bytes) : "-1",
          "--cpu-period", std::to_string(kPeriod),
          "--cpu-quota",  std::to_string(quota),
          "--pids-limit", l.pids ? std::to_string(l.pids) : "-1"};
}

Outcome<json> oci_config(const ContainerDefinition& d, const Image* image, const std::string& base) {
  std::vector<std::string> args = d.command;
  if (args.empty() && image) {
    args = image->config.entrypoint;
    args.insert(args.end(), image->config.cmd.begin(), image->config.cmd.end());
  }
  if (args.empty()) return invalid("nothing to run: give 'command' (the image has no entrypoint or cmd)", "missing_field");
  json config = container::default_spec(args, base);
  json& process = config["process"];
  std::vector<std::string> env = process.value("env", std::vector<std::string>{});
  auto set_env = [&](const std::string& kv) {
    const std::string key = kv.substr(0, kv.find('=') + 1);
    for (auto& e : env)
      if (e.rfind(key, 0) == 0) {
        e = kv;
        return;
      }
    env.push_back(kv);
  };
  if (image)
    for (const auto& e : image->config.env) set_env(e);
  for (const auto& e : d.env) set_env(e);
  process["env"] = env;
  const std::string workdir = !d.workdir.empty() ? d.workdir : image && !image->config.workdir.empty() ? image->config.workdir : "/";
  process["cwd"] = workdir;
  const std::string user = !d.user.empty() ? d.user : image ? image->config.user : "";
  if (!user.empty()) {
    const size_t colon = user.find(':');
    const auto uid = lookup_id(base, "/etc/passwd", user.substr(0, colon));
    if (!uid) return invalid("user '" + user + "' is not a number and not in the image's /etc/passwd", "invalid_argument");
    std::optional<uint32_t> gid = colon == std::string::npos ? std::optional<uint32_t>(primary_group(base, *uid))
                                                              : lookup_id(base, "/etc/group", user.substr(colon + 1));
    if (!gid) return invalid("group of '" + user + "' is not a number and not in the image's /etc/group", "invalid_argument");
    process["user"] = {{"uid", *uid}, {"gid", *gid}};
  }
  config["hostname"] = d.hostname.empty() ? d.name : d.hostname;
  config["root"]["readonly"] = d.read_only;  // else writes go to the container's own overlay layer
  if (d.network == "host") {
    json kept = json::array();
    for (const auto& ns : config["linux"]["namespaces"])
      if (ns.value("type", "") != "network") kept.push_back(ns);
    config["linux"]["namespaces"] = kept;
  }
  json resources = json::object();
  if (d.limits.memory_bytes) resources["memory"] = {{"limit", d.limits.memory_bytes}};
  if (d.limits.cpus > 0) resources["cpu"] = {{"quota", std::max<long long>(1000, std::llround(d.limits.cpus * 100000))}, {"period", 100000}};
  if (d.limits.pids) resources["pids"] = {{"limit", d.limits.pids}};
  config["linux"]["resources"] = resources;
  return config;
}

}  // namespace vessel::manager
