// The parts of an OCI runtime-spec config.json that Vessel implements (Linux only).
// Parsing validates types and values; unknown properties are ignored, as the spec requires.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vessel::container {

enum class NamespaceType { Pid, Network, Mount, Ipc, Uts, User, Cgroup, Time };

struct NamespaceSpec {
  NamespaceType type;
  std::string path;  // empty: create a new namespace; otherwise join this one
};

struct IdMapping {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
};

struct MountSpec {
  std::string destination;
  std::string type;
  std::string source;
  std::vector<std::string> options;
};

struct Rlimit {
  int resource = 0;
  uint64_t soft = 0;
  uint64_t hard = 0;
};

struct CapabilitySets {
  std::vector<int> bounding, effective, inheritable, permitted, ambient;
  // Names neither libcap nor this kernel knows. runc (and so the tools built on it) ignores
  // them with a warning, so that configs naming newer capabilities still run; so do we.
  std::vector<std::string> unknown;
};

struct UserSpec {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::optional<uint32_t> umask;
  std::vector<uint32_t> additional_gids;
};

struct ProcessSpec {
  bool terminal = false;
  std::optional<std::pair<uint32_t, uint32_t>> console_size;  // height, width
  UserSpec user;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd = "/";
  std::optional<CapabilitySets> capabilities;
  std::vector<Rlimit> rlimits;
  bool no_new_privileges = false;
  std::optional<int> oom_score_adj;
  std::string apparmor_profile;  // applied at exec; an error where AppArmor cannot apply it
};

struct HookSpec {
  std::string path;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::optional<int> timeout_seconds;
};

struct HooksSpec {
  std::vector<HookSpec> prestart, create_runtime, create_container, start_container, poststart, poststop;
};

struct DeviceSpec {
  char type = 'c';  // c, u, b or p
  std::string path;
  int64_t major = 0, minor = 0;
  std::optional<uint32_t> file_mode;
  std::optional<uint32_t> uid, gid;
};

struct DeviceRule {
  bool allow = false;
  std::string type = "a";
  std::optional<int64_t> major, minor;
  std::string access = "rwm";
};

struct DeviceLimit {
  int64_t major = 0, minor = 0;
  uint64_t value = 0;  // weight, bytes or operations per second
};

struct ResourcesSpec {
  std::optional<int64_t> memory_limit, memory_reservation, memory_swap, memory_kernel;
  std::optional<uint64_t> memory_swappiness;
  std::optional<bool> disable_oom_killer;
  std::optional<uint64_t> cpu_shares;
  std::optional<int64_t> cpu_quota;
  std::optional<uint64_t> cpu_period;
  std::string cpuset_cpus, cpuset_mems;
  std::optional<int64_t> pids_limit;
  std::vector<DeviceRule> devices;
  std::optional<uint64_t> blkio_weight, blkio_leaf_weight;
  std::vector<DeviceLimit> blkio_weight_device, throttle_read_bps, throttle_write_bps, throttle_read_iops,
      throttle_write_iops;
  std::map<std::string, uint64_t> hugepage_limits;  // page size ("2MB") -> bytes
  std::optional<uint64_t> net_class_id;
  std::map<std::string, uint64_t> net_priorities;   // interface -> priority
  std::map<std::string, std::string> unified;  // raw cgroup v2 files
};

struct SeccompArg {
  unsigned index = 0;
  uint64_t value = 0, value_two = 0;
  std::string op;
};

struct SeccompRule {
  std::vector<std::string> names;
  std::string action;
  std::optional<uint32_t> errno_ret;
  std::vector<SeccompArg> args;
};

struct SeccompSpec {
  std::string default_action;
  // SCMP_ACT_NOTIFY: the listener fd goes to this Unix socket with the container's state.
  std::string listener_path, listener_metadata;
  std::optional<uint32_t> default_errno_ret;
  std::vector<std::string> architectures;
  std::vector<std::string> flags;
  std::vector<SeccompRule> syscalls;
};

struct LinuxSpec {
  std::vector<NamespaceSpec> namespaces;
  std::vector<IdMapping> uid_mappings, gid_mappings;
  std::vector<DeviceSpec> devices;
  std::string cgroups_path;
  ResourcesSpec resources;
  std::string rootfs_propagation;
  std::vector<std::string> masked_paths, readonly_paths;
  std::map<std::string, std::string> sysctl;
  std::optional<SeccompSpec> seccomp;

  const NamespaceSpec* find_namespace(NamespaceType type) const;
};

struct Spec {
  std::string oci_version;
  std::optional<ProcessSpec> process;
  std::string root_path;  // absolute (resolved against the bundle)
  bool root_readonly = false;
  std::string hostname, domainname;
  std::vector<MountSpec> mounts;
  HooksSpec hooks;
  std::map<std::string, std::string> annotations;
  LinuxSpec linux_spec;
};

// Parses and validates a whole config.json document; `bundle` resolves a relative root.path.
Spec parse_spec(const nlohmann::json& document, const std::string& bundle);
// Reads <bundle>/config.json. Throws BadInput for a missing bundle or an invalid document.
Spec load_spec(const std::string& bundle, nlohmann::json* raw_out = nullptr);
// A linux.resources object on its own (as given to `update --resources`).
ResourcesSpec parse_resources_object(const nlohmann::json& resources);
// A `process` object on its own (as given to `exec --process`).
ProcessSpec parse_process(const nlohmann::json& object, const std::string& where = "process");

const char* namespace_type_name(NamespaceType type);

}  // namespace vessel::container
