// The daemon's state directory:
//   STATE/vesseld.lock            held (flock) by the running daemon
//   STATE/vms/NAME/vm.json        the definition (survives daemon and VM restarts)
//   STATE/vms/NAME/runtime.json   the running VMM: pid, start time, sockets (absent when stopped)
//   STATE/vms/NAME/ctl, con       the VMM's control and console sockets
//   STATE/vms/NAME/vmm.log        the VMM's stderr (its last run)
//   STATE/vms/NAME/gdb            the VMM's GDB stub, for VMs defined with "gdb": true
// Files are written atomically (temporary file, fsync, rename).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace vessel::manager {

class StateDir {
 public:
  // Creates the directory if needed and takes its lock (fails if another daemon holds it).
  static Result<StateDir> open(const std::string& root);
  StateDir(StateDir&& o) noexcept : root_(std::move(o.root_)), lock_fd_(std::exchange(o.lock_fd_, -1)) {}
  StateDir(const StateDir&) = delete;
  ~StateDir();

  std::string vm_dir(const std::string& name) const { return root_ + "/vms/" + name; }
  std::string definition_path(const std::string& name) const { return vm_dir(name) + "/vm.json"; }
  std::string runtime_path(const std::string& name) const { return vm_dir(name) + "/runtime.json"; }
  std::string control_socket(const std::string& name) const { return vm_dir(name) + "/ctl"; }
  std::string console_socket(const std::string& name) const { return vm_dir(name) + "/con"; }
  std::string log_path(const std::string& name) const { return vm_dir(name) + "/vmm.log"; }
  std::string gdb_socket(const std::string& name) const { return vm_dir(name) + "/gdb"; }
  std::string vsock_socket(const std::string& name) const { return vm_dir(name) + "/vsock"; }

  std::vector<std::string> vm_names() const;
  Result<bool> create_vm_dir(const std::string& name) const;
  Result<bool> remove_vm_dir(const std::string& name) const;

 private:
  explicit StateDir(std::string root) : root_(std::move(root)) {}
  std::string root_;
  int lock_fd_ = -1;
};

// `durable`: fsync before the rename (definitions). Runtime files skip it: they describe
// processes that a host crash ends anyway, and a daemon crash keeps the page cache.
Result<bool> write_json_atomic(const std::string& path, const nlohmann::json& value, bool durable = true);
Result<nlohmann::json> read_json(const std::string& path);
// The last `max_bytes` of a text file (for error messages from a VMM log).
std::string file_tail(const std::string& path, size_t max_bytes);
// The same bytes as they are (a container's log).
std::string file_tail_bytes(const std::string& path, size_t max_bytes);

}  // namespace vessel::manager
