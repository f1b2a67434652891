#include "container/oci_spec.h"

#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>

#include "container/capabilities.h"
#include "container/error.h"
#include "container/json_fields.h"

namespace vessel::container {

using namespace json_fields;

namespace {

std::string at(const std::string& where, size_t i) { return where + "[" + std::to_string(i) + "]"; }

const Json& array_member(const Json& object, const char* key, const std::string& where) {
  static const Json kEmpty = Json::array();
  const Json* v = member(object, key);
  if (!v) return kEmpty;
  if (!v->is_array()) throw_bad_input("config: " + where + " must be an array");
  return *v;
}

struct NamedRlimit {
  const char* name;
  int resource;
};
constexpr NamedRlimit kRlimits[] = {
    {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},       {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},       {"RLIMIT_FSIZE", RLIMIT_FSIZE},     {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},   {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},   {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

std::vector<int> parse_capability_list(const Json& object, const char* key, const std::string& where,
                                       std::vector<std::string>& unknown) {
  std::vector<int> caps;
  for (const auto& name : strings_or_empty(object, key, where)) {
    const int cap = capability_from_name(name);
    if (cap < 0) {
      if (std::find(unknown.begin(), unknown.end(), name) == unknown.end()) unknown.push_back(name);
      continue;
    }
    caps.push_back(cap);
  }
  return caps;
}

UserSpec parse_user(const Json& object, const std::string& where) {
  require_object(object, where);
  UserSpec user;
  if (const Json* v = member(object, "uid")) user.uid = as_u32(*v, where + ".uid");
  if (const Json* v = member(object, "gid")) user.gid = as_u32(*v, where + ".gid");
  if (const Json* v = member(object, "umask")) user.umask = as_u32(*v, where + ".umask");
  const Json& gids = array_member(object, "additionalGids", where + ".additionalGids");
  for (size_t i = 0; i < gids.size(); ++i) user.additional_gids.push_back(as_u32(gids[i], at(where + ".additionalGids", i)));
  return user;
}

std::vector<Rlimit> parse_rlimits(const Json& object, const std::string& where) {
  std::vector<Rlimit> out;
  std::set<int> seen;
  const Json& list = array_member(object, "rlimits", where + ".rlimits");
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string w = at(where + ".rlimits", i);
    require_object(list[i], w);
    const std::string type = string_or(list[i], "type", w);
    auto it = std::find_if(std::begin(kRlimits), std::end(kRlimits), [&](const NamedRlimit& r) { return type == r.name; });
    if (it == std::end(kRlimits)) throw_bad_input("config: " + w + ".type: unknown rlimit '" + type + "'");
    if (!seen.insert(it->resource).second) throw_bad_input("config: " + w + ": duplicate rlimit " + type);
    Rlimit r;
    r.resource = it->resource;
    r.soft = optional_uint(list[i], "soft", w).value_or(0);
    r.hard = optional_uint(list[i], "hard", w).value_or(0);
    if (r.soft > r.hard) throw_bad_input("config: " + w + ": soft limit above hard limit for " + type);
    out.push_back(r);
  }
  return out;
}

std::vector<HookSpec> parse_hook_list(const Json& hooks, const char* key) {
  std::vector<HookSpec> out;
  const std::string where = std::string("hooks.") + key;
  const Json& list = array_member(hooks, key, where);
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string w = at(where, i);
    require_object(list[i], w);
    HookSpec h;
    h.path = string_or(list[i], "path", w);
    if (h.path.empty() || h.path[0] != '/') throw_bad_input("config: " + w + ".path must be an absolute path");
    h.args = strings_or_empty(list[i], "args", w);
    h.env = strings_or_empty(list[i], "env", w);
    if (auto t = optional_int(list[i], "timeout", w)) {
      if (*t <= 0) throw_bad_input("config: " + w + ".timeout must be positive");
      h.timeout_seconds = static_cast<int>(std::min<int64_t>(*t, 1 << 30));
    }
    out.push_back(std::move(h));
  }
  return out;
}

HooksSpec parse_hooks(const Json& document) {
  HooksSpec hooks;
  const Json* h = member(document, "hooks");
  if (!h) return hooks;
  require_object(*h, "hooks");
  hooks.prestart = parse_hook_list(*h, "prestart");
  hooks.create_runtime = parse_hook_list(*h, "createRuntime");
  hooks.create_container = parse_hook_list(*h, "createContainer");
  hooks.start_container = parse_hook_list(*h, "startContainer");
  hooks.poststart = parse_hook_list(*h, "poststart");
  hooks.poststop = parse_hook_list(*h, "poststop");
  return hooks;
}

std::vector<MountSpec> parse_mounts(const Json& document) {
  std::vector<MountSpec> out;
  const Json& list = array_member(document, "mounts", "mounts");
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string w = at("mounts", i);
    require_object(list[i], w);
    MountSpec m;
    m.destination = string_or(list[i], "destination", w);
    if (m.destination.empty() || m.destination[0] != '/')
      throw_bad_input("config: " + w + ".destination must be an absolute path");
    m.type = string_or(list[i], "type", w);
    m.source = string_or(list[i], "source", w);
    m.options = strings_or_empty(list[i], "options", w);
    out.push_back(std::move(m));
  }
  return out;
}

NamespaceType namespace_from_name(const std::string& name, const std::string& where) {
  static const std::pair<const char*, NamespaceType> kNames[] = {
      {"pid", NamespaceType::Pid}, {"network", NamespaceType::Network}, {"mount", NamespaceType::Mount},
      {"ipc", NamespaceType::Ipc}, {"uts", NamespaceType::Uts},         {"user", NamespaceType::User},
      {"cgroup", NamespaceType::Cgroup}, {"time", NamespaceType::Time},
  };
  for (const auto& [n, t] : kNames)
    if (name == n) return t;
  throw_bad_input("config: " + where + ": unknown namespace type '" + name + "'");
}

std::vector<IdMapping> parse_mappings(const Json& lx, const char* key) {
  std::vector<IdMapping> out;
  const std::string where = std::string("linux.") + key;
  const Json& list = array_member(lx, key, where);
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string w = at(where, i);
    require_object(list[i], w);
    IdMapping m;
    if (const Json* v = member(list[i], "containerID")) m.container_id = as_u32(*v, w + ".containerID");
    if (const Json* v = member(list[i], "hostID")) m.host_id = as_u32(*v, w + ".hostID");
    if (const Json* v = member(list[i], "size")) m.size = as_u32(*v, w + ".size");
    if (m.size == 0) throw_bad_input("config: " + w + ".size must be positive");
    out.push_back(m);
  }
  return out;
}

std::vector<DeviceSpec> parse_devices(const Json& lx) {
  std::vector<DeviceSpec> out;
  const Json& list = array_member(lx, "devices", "linux.devices");
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string w = at("linux.devices", i);
    require_object(list[i], w);
    DeviceSpec d;
    const std::string type = string_or(list[i], "type", w);
    if (type.size() != 1 || std::string("cubp").find(type[0]) == std::string::npos)
      throw_bad_input("config: " + w + ".type must be one of c, u, b, p");
    d.type = type[0];
    d.path = string_or(list[i], "path", w);
    if (d.path.empty() || d.path[0] != '/') throw_bad_input("config: " + w + ".path must be an absolute path");
    d.major = optional_int(list[i], "major", w).value_or(0);
    d.minor = optional_int(list[i], "minor", w).value_or(0);
    if (const Json* v = member(list[i], "fileMode")) d.file_mode = as_u32(*v, w + ".fileMode");
    if (const Json* v = member(list[i], "uid")) d.uid = as_u32(*v, w + ".uid");
    if (const Json* v = member(list[i], "gid")) d.gid = as_u32(*v, w + ".gid");
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<DeviceLimit> parse_device_limits(const Json& blkio, const char* key, const char* value_key) {
  std::vector<DeviceLimit> out;
  const std::string where = std::string("linux.resources.blockIO.") + key;
  const Json& list = array_member(blkio, key, where);
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string w = at(where, i);
    require_object(list[i], w);
    DeviceLimit d;
    const auto major = optional_int(list[i], "major", w), minor = optional_int(list[i], "minor", w);
    if (!major || !minor) throw_bad_input("config: " + w + " needs major and minor");
    d.major = *major;
    d.minor = *minor;
    d.value = optional_uint(list[i], value_key, w).value_or(0);
    out.push_back(d);
  }
  return out;
}

void parse_block_io(const Json& blkio, ResourcesSpec& r) {
  require_object(blkio, "linux.resources.blockIO");
  r.blkio_weight = optional_uint(blkio, "weight", "linux.resources.blockIO");
  r.blkio_leaf_weight = optional_uint(blkio, "leafWeight", "linux.resources.blockIO");
  r.blkio_weight_device = parse_device_limits(blkio, "weightDevice", "weight");
  r.throttle_read_bps = parse_device_limits(blkio, "throttleReadBpsDevice", "rate");
  r.throttle_write_bps = parse_device_limits(blkio, "throttleWriteBpsDevice", "rate");
  r.throttle_read_iops = parse_device_limits(blkio, "throttleReadIOPSDevice", "rate");
  r.throttle_write_iops = parse_device_limits(blkio, "throttleWriteIOPSDevice", "rate");
}

ResourcesSpec parse_resources(const Json& lx) {
  ResourcesSpec r;
  const Json* res = member(lx, "resources");
  if (!res) return r;
  require_object(*res, "linux.resources");
  if (const Json* mem = member(*res, "memory")) {
    require_object(*mem, "linux.resources.memory");
    r.memory_limit = optional_int(*mem, "limit", "linux.resources.memory");
    r.memory_reservation = optional_int(*mem, "reservation", "linux.resources.memory");
    r.memory_swap = optional_int(*mem, "swap", "linux.resources.memory");
    if (const Json* v = member(*mem, "disableOOMKiller")) r.disable_oom_killer = as_bool(*v, "linux.resources.memory.disableOOMKiller");
    r.memory_kernel = optional_int(*mem, "kernel", "linux.resources.memory");
    r.memory_swappiness = optional_uint(*mem, "swappiness", "linux.resources.memory");
    if (r.memory_swappiness && *r.memory_swappiness > 100) throw_bad_input("config: linux.resources.memory.swappiness must be 0..100");
  }
  if (const Json* cpu = member(*res, "cpu")) {
    require_object(*cpu, "linux.resources.cpu");
    r.cpu_shares = optional_uint(*cpu, "shares", "linux.resources.cpu");
    r.cpu_quota = optional_int(*cpu, "quota", "linux.resources.cpu");
    r.cpu_period = optional_uint(*cpu, "period", "linux.resources.cpu");
    r.cpuset_cpus = string_or(*cpu, "cpus", "linux.resources.cpu");
    r.cpuset_mems = string_or(*cpu, "mems", "linux.resources.cpu");
  }
  if (const Json* pids = member(*res, "pids")) {
    require_object(*pids, "linux.resources.pids");
    r.pids_limit = optional_int(*pids, "limit", "linux.resources.pids");
  }
  const Json& devices = array_member(*res, "devices", "linux.resources.devices");
  for (size_t i = 0; i < devices.size(); ++i) {
    const std::string w = at("linux.resources.devices", i);
    require_object(devices[i], w);
    DeviceRule rule;
    const Json* allow = member(devices[i], "allow");
    if (!allow) throw_bad_input("config: " + w + ".allow is required");
    rule.allow = as_bool(*allow, w + ".allow");
    rule.type = string_or(devices[i], "type", w, "a");
    if (rule.type != "a" && rule.type != "c" && rule.type != "b") throw_bad_input("config: " + w + ".type must be a, c or b");
    rule.major = optional_int(devices[i], "major", w);
    rule.minor = optional_int(devices[i], "minor", w);
    rule.access = string_or(devices[i], "access", w, "rwm");
    if (rule.access.find_first_not_of("rwm") != std::string::npos) throw_bad_input("config: " + w + ".access must use only r, w, m");
    r.devices.push_back(rule);
  }
  if (const Json* blkio = member(*res, "blockIO")) parse_block_io(*blkio, r);
  const Json& pages = array_member(*res, "hugepageLimits", "linux.resources.hugepageLimits");
  for (size_t i = 0; i < pages.size(); ++i) {
    const std::string w = at("linux.resources.hugepageLimits", i);
    require_object(pages[i], w);
    const std::string size = string_or(pages[i], "pageSize", w);
    if (size.empty() || size.find('/') != std::string::npos) throw_bad_input("config: " + w + ".pageSize is invalid");
    r.hugepage_limits[size] = optional_uint(pages[i], "limit", w).value_or(0);
  }
  if (const Json* net = member(*res, "network")) {
    require_object(*net, "linux.resources.network");
    if (const Json* v = member(*net, "classID")) r.net_class_id = as_uint(*v, "linux.resources.network.classID");
    const Json& prios = array_member(*net, "priorities", "linux.resources.network.priorities");
    for (size_t i = 0; i < prios.size(); ++i) {
      const std::string w = at("linux.resources.network.priorities", i);
      require_object(prios[i], w);
      r.net_priorities[string_or(prios[i], "name", w)] = optional_uint(prios[i], "priority", w).value_or(0);
    }
  }
  if (const Json* unified = member(*res, "unified")) r.unified = as_string_map(*unified, "linux.resources.unified");
  return r;
}

const std::set<std::string>& seccomp_actions() {
  static const std::set<std::string> kActions = {"SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
                                                 "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
                                                 "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY"};
  return kActions;
}

std::optional<SeccompSpec> parse_seccomp(const Json& lx) {
  const Json* s = member(lx, "seccomp");
  if (!s) return std::nullopt;
  require_object(*s, "linux.seccomp");
  SeccompSpec spec;
  spec.default_action = string_or(*s, "defaultAction", "linux.seccomp");
  if (!seccomp_actions().count(spec.default_action))
    throw_bad_input("config: linux.seccomp.defaultAction: unsupported action '" + spec.default_action + "'");
  if (const Json* v = member(*s, "defaultErrnoRet")) spec.default_errno_ret = as_u32(*v, "linux.seccomp.defaultErrnoRet");
  spec.architectures = strings_or_empty(*s, "architectures", "linux.seccomp");
  spec.flags = strings_or_empty(*s, "flags", "linux.seccomp");
  spec.listener_path = string_or(*s, "listenerPath", "linux.seccomp", "");
  spec.listener_metadata = string_or(*s, "listenerMetadata", "linux.seccomp", "");
  if (!spec.listener_path.empty() && spec.listener_path[0] != '/')
    throw_bad_input("config: linux.seccomp.listenerPath must be an absolute path");
  static const std::set<std::string> kOps = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
                                             "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
  const Json& list = array_member(*s, "syscalls", "linux.seccomp.syscalls");
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string w = at("linux.seccomp.syscalls", i);
    require_object(list[i], w);
    SeccompRule rule;
    rule.names = strings_or_empty(list[i], "names", w);
    rule.action = string_or(list[i], "action", w);
    if (!seccomp_actions().count(rule.action)) throw_bad_input("config: " + w + ".action: unsupported action '" + rule.action + "'");
    if (const Json* v = member(list[i], "errnoRet")) rule.errno_ret = as_u32(*v, w + ".errnoRet");
    const Json& args = array_member(list[i], "args", w + ".args");
    for (size_t j = 0; j < args.size(); ++j) {
      const std::string wa = at(w + ".args", j);
      require_object(args[j], wa);
      SeccompArg a;
      a.index = static_cast<unsigned>(optional_uint(args[j], "index", wa).value_or(0));
      if (a.index > 5) throw_bad_input("config: " + wa + ".index must be 0..5");
      a.value = optional_uint(args[j], "value", wa).value_or(0);
      a.value_two = optional_uint(args[j], "valueTwo", wa).value_or(0);
      a.op = string_or(args[j], "op", wa);
      if (!kOps.count(a.op)) throw_bad_input("config: " + wa + ".op: unknown operator '" + a.op + "'");
      rule.args.push_back(a);
    }
    spec.syscalls.push_back(std::move(rule));
  }
  const bool notify = spec.default_action == "SCMP_ACT_NOTIFY" ||
                      std::any_of(spec.syscalls.begin(), spec.syscalls.end(),
                                  [](const SeccompRule& r) { return r.action == "SCMP_ACT_NOTIFY"; });
  if (notify && spec.listener_path.empty())
    throw_bad_input("config: linux.seccomp: SCMP_ACT_NOTIFY needs listenerPath");
  return spec;
}

LinuxSpec parse_linux(const Json& document) {
  LinuxSpec lx;
  const Json* l = member(document, "linux");
  if (!l) return lx;
  require_object(*l, "linux");
  const Json& nss = array_member(*l, "namespaces", "linux.namespaces");
  std::set<NamespaceType> seen;
  for (size_t i = 0; i < nss.size(); ++i) {
    const std::string w = at("linux.namespaces", i);
    require_object(nss[i], w);
    NamespaceSpec ns;
    ns.type = namespace_from_name(string_or(nss[i], "type", w), w + ".type");
    ns.path = string_or(nss[i], "path", w);
    if (!seen.insert(ns.type).second)
      throw_bad_input(std::string("config: ") + w + ": duplicate namespace " + namespace_type_name(ns.type));
    lx.namespaces.push_back(ns);
  }
  lx.uid_mappings = parse_mappings(*l, "uidMappings");
  lx.gid_mappings = parse_mappings(*l, "gidMappings");
  lx.devices = parse_devices(*l);
  lx.cgroups_path = string_or(*l, "cgroupsPath", "linux");
  lx.resources = parse_resources(*l);
  lx.rootfs_propagation = string_or(*l, "rootfsPropagation", "linux");
  lx.masked_paths = strings_or_empty(*l, "maskedPaths", "linux");
  lx.readonly_paths = strings_or_empty(*l, "readonlyPaths", "linux");
  if (const Json* v = member(*l, "sysctl")) lx.sysctl = as_string_map(*v, "linux.sysctl");
  lx.seccomp = parse_seccomp(*l);
  return lx;
}

void validate_cross_fields(const Spec& spec) {
  const LinuxSpec& l = spec.linux_spec;
  const NamespaceSpec* user = l.find_namespace(NamespaceType::User);
  const bool new_user = user && user->path.empty();
  if ((!l.uid_mappings.empty() || !l.gid_mappings.empty()) && !user)
    throw_bad_input("config: uidMappings/gidMappings require a user namespace");
  if (new_user && (l.uid_mappings.empty() || l.gid_mappings.empty()))
    throw_bad_input("config: a new user namespace requires linux.uidMappings and linux.gidMappings");
  if (!spec.hostname.empty() && !l.find_namespace(NamespaceType::Uts))
    throw_bad_input("config: hostname requires a uts namespace");
  static const std::set<std::string> kPropagation = {"", "private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", "runbindable"};
  if (!kPropagation.count(l.rootfs_propagation))
    throw_bad_input("config: linux.rootfsPropagation: unknown value '" + l.rootfs_propagation + "'");
}

}  // namespace

const char* namespace_type_name(NamespaceType type) {
  switch (type) {
    case NamespaceType::Pid: return "pid";
    case NamespaceType::Network: return "network";
    case NamespaceType::Mount: return "mount";
    case NamespaceType::Ipc: return "ipc";
    case NamespaceType::Uts: return "uts";
    case NamespaceType::User: return "user";
    case NamespaceType::Cgroup: return "cgroup";
    case NamespaceType::Time: return "time";
  }
  return "?";
}

const NamespaceSpec* LinuxSpec::find_namespace(NamespaceType type) const {
  for (const auto& ns : namespaces)
    if (ns.type == type) return &ns;
  return nullptr;
}

ResourcesSpec parse_resources_object(const Json& resources) { return parse_resources(Json{{"resources", resources}}); }

ProcessSpec parse_process(const Json& object, const std::string& where) {
  require_object(object, where);
  ProcessSpec p;
  p.terminal = bool_or(object, "terminal", where, false);
  if (const Json* cs = member(object, "consoleSize")) {
    require_object(*cs, where + ".consoleSize");
    p.console_size = std::make_pair(static_cast<uint32_t>(optional_uint(*cs, "height", where + ".consoleSize").value_or(0)),
                                    static_cast<uint32_t>(optional_uint(*cs, "width", where + ".consoleSize").value_or(0)));
  }
  if (const Json* u = member(object, "user")) p.user = parse_user(*u, where + ".user");
  p.args = strings_or_empty(object, "args", where);
  if (p.args.empty()) throw_bad_input("config: " + where + ".args must name the program to run");
  p.env = strings_or_empty(object, "env", where);
  p.cwd = string_or(object, "cwd", where, "/");
  if (p.cwd.empty() || p.cwd[0] != '/') throw_bad_input("config: " + where + ".cwd must be an absolute path");
  if (const Json* caps = member(object, "capabilities")) {
    const std::string w = where + ".capabilities";
    require_object(*caps, w);
    CapabilitySets sets;
    sets.bounding = parse_capability_list(*caps, "bounding", w, sets.unknown);
    sets.effective = parse_capability_list(*caps, "effective", w, sets.unknown);
    sets.inheritable = parse_capability_list(*caps, "inheritable", w, sets.unknown);
    sets.permitted = parse_capability_list(*caps, "permitted", w, sets.unknown);
    sets.ambient = parse_capability_list(*caps, "ambient", w, sets.unknown);
    p.capabilities = std::move(sets);
  }
  p.rlimits = parse_rlimits(object, where);
  p.no_new_privileges = bool_or(object, "noNewPrivileges", where, false);
  p.apparmor_profile = string_or(object, "apparmorProfile", where, "");
  if (auto adj = optional_int(object, "oomScoreAdj", where)) {
    if (*adj < -1000 || *adj > 1000) throw_bad_input("config: " + where + ".oomScoreAdj must be in -1000..1000");
    p.oom_score_adj = static_cast<int>(*adj);
  }
  return p;
}

Spec parse_spec(const Json& document, const std::string& bundle) {
  if (!document.is_object()) throw_bad_input("config: the document must be a JSON object");
  Spec spec;
  const Json* version = member(document, "ociVersion");
  if (!version) throw_bad_input("config: ociVersion is required");
  spec.oci_version = as_string(*version, "ociVersion");
  if (spec.oci_version.rfind("1.", 0) != 0) throw_bad_input("config: unsupported ociVersion '" + spec.oci_version + "'");
  if (const Json* p = member(document, "process")) spec.process = parse_process(*p);
  const Json* root = member(document, "root");
  if (!root) throw_bad_input("config: root is required");
  require_object(*root, "root");
  spec.root_path = string_or(*root, "path", "root");
  if (spec.root_path.empty()) throw_bad_input("config: root.path is required");
  if (spec.root_path[0] != '/') spec.root_path = bundle + "/" + spec.root_path;
  spec.root_readonly = bool_or(*root, "readonly", "root", false);
  spec.hostname = string_or(document, "hostname", "");
  spec.domainname = string_or(document, "domainname", "");
  spec.mounts = parse_mounts(document);
  spec.hooks = parse_hooks(document);
  if (const Json* a = member(document, "annotations")) spec.annotations = as_string_map(*a, "annotations");
  spec.linux_spec = parse_linux(document);
  validate_cross_fields(spec);
  return spec;
}

Spec load_spec(const std::string& bundle, Json* raw_out) {
  struct stat st {};
  if (stat(bundle.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) throw_bad_input("bundle " + bundle + " is not a directory");
  const std::string path = bundle + "/config.json";
  std::ifstream in(path);
  if (!in) throw_bad_input("cannot read " + path);
  Json document = Json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) throw_bad_input(path + " is not valid JSON");
  Spec spec = parse_spec(document, bundle);
  if (raw_out) *raw_out = std::move(document);
  return spec;
}

}  // namespace vessel::container
