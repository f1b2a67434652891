// A VM as the manager keeps it: what POST /v1/vms creates and the state directory stores.
// Parsing is strict (unknown fields, wrong types, bad sizes are errors naming the field);
// to_vmm_args() turns a definition into the vessel-vmm command line.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "manager/manager_error.h"

namespace vessel::manager {

// bus: "" or "mmio" (virtio-mmio, 5 slots for disks and NICs together) or "pci" (virtio-pci).
struct DriveDefinition {
  std::string file, format, serial;  // format: "" (detect), raw, qcow2
  bool readonly = false;
  std::string bus;
};

struct NetDefinition {
  std::string mode = "user";  // user | tap | network (a port on the named network's switch)
  std::string ifname, mac;
  std::string network;  // mode network: the network's name (vessel net create)
  std::vector<std::string> hostfwd;  // tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT
  std::string bus;
};

// virtio-vsock; its host Unix socket is the manager's (vms/NAME/vsock, see StateDir).
struct VsockDefinition {
  uint64_t cid = 0;  // 3 .. 2^32 - 2
  std::string bus;
  // The guest port where qemu-ga listens (--method=vsock-listen): exec, cp and graceful stop.
  uint64_t agent_port = 1234;
};

// A host directory shared with the guest over virtio-9p (vessel-vmm --share); the jail binds
// it (read-only when readonly). See docs/shares.md.
struct ShareDefinition {
  std::string tag, path;
  bool readonly = false;
  std::string bus;
};

// Rate limits: 0 = unlimited. Per device, by index in the definition's drives/nets.
struct RateLimit {
  uint64_t bytes_per_sec = 0, ops_per_sec = 0;  // ops: I/O requests (drives) or packets (NICs)
};
struct Limits {
  double cpu = 0;  // fraction of one host core for the whole VM; 0 = uncapped
  std::vector<RateLimit> drives, nets;
};

struct VmDefinition {
  std::string name;
  unsigned cpus = 1;
  uint64_t memory_bytes = 128ull << 20;
  std::string kernel, initrd, cmdline;
  std::string bios;      // M-mode firmware (vessel run --bios)
  std::string firmware;  // "uboot": Debian's OpenSBI + U-Boot boot the first disk (no kernel needed)
  // NoCloud: the user-data file given at create, and the seed image (label cidata) the manager
  // made from it in the VM's directory; the seed is attached read-only after the VM's drives.
  std::string cloud_init, cloud_init_seed;
  std::string engine;  // "" (the VMM's default), jit, interp
  std::string cpu;     // "" (the VMM's default), rv64gc, rva22, rva23
  // Guest RAM in transparent huge pages (vessel run --hugepages). Off by default here, unlike
  // `vessel run`: a manager runs many VMs, and idle ones then hold memory in 4 KiB units.
  bool huge_pages = false;
  std::vector<DriveDefinition> drives;
  std::vector<NetDefinition> nets;
  std::optional<VsockDefinition> vsock;
  std::vector<ShareDefinition> shares;
  Limits limits;
  bool autostart = false;
  bool gdb = false;  // serve gdb's remote protocol on vms/NAME/gdb (vessel vm debug NAME)
  // The VMM runs jailed (vessel-vmm --sandbox, docs/security.md). On unless turned off here
  // ("sandbox": false, for debugging) or for the whole daemon (vesseld --no-sandbox).
  bool sandbox = true;
  std::string snapshot;  // when set, starting restores this snapshot instead of booting
};

// POST /v1/vms body -> definition; checks files exist. `start` (optional field) is returned.
Outcome<VmDefinition> parse_definition(const nlohmann::json& body, bool& start_after_create);
// PATCH /v1/vms/{name}/limits body -> limits (validated against the definition).
Outcome<Limits> parse_limits(const nlohmann::json& body, const VmDefinition& def);
nlohmann::json to_json(const Limits& limits);
// The control-socket request that applies `limits` to a running VMM.
nlohmann::json limits_request(const Limits& limits);

nlohmann::json to_json(const VmDefinition& def);
// Reads a stored definition (same strict rules, files are not re-checked).
Outcome<VmDefinition> definition_from_store(const nlohmann::json& stored);

bool valid_vm_name(const std::string& name);
// `vsock_socket`: where a VM with vsock serves its host connections (Firecracker's uds_path).
// `networks_dir`: where named networks keep their switches (NetworkRegistry::dir()).
std::vector<std::string> to_vmm_args(const VmDefinition& def, const std::string& vsock_socket = {},
                                     const std::string& networks_dir = {});
// The names of the networks a definition attaches to.
std::vector<std::string> attached_networks(const VmDefinition& def);
std::string format_size(uint64_t bytes);

// "shares" of a definition (share_definition.cpp): parsed strictly (tags unique, absolute
// paths to directories when `check_dirs`), written back, and passed as --share options.
std::optional<ManagerError> parse_shares(const nlohmann::json& arr, bool check_dirs, std::vector<ShareDefinition>& out);
nlohmann::json to_json(const std::vector<ShareDefinition>& shares);
void append_share_args(const std::vector<ShareDefinition>& shares, std::vector<std::string>& args);

}  // namespace vessel::manager
