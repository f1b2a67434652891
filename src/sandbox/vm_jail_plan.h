// The jail plan of one VM, from its configuration: kernel, initrd, firmware and snapshot
// read-only; disk images read-only or read-write as the drive says, with every file of
// their qcow2 backing chains read-only; the directories of its sockets read-write;
// /dev/net/tun and its TAPs if it has any. Nothing else of the host.
#pragma once
#include <string>
#include <vector>

#include "common/result.h"
#include "sandbox/jail_plan.h"
#include "vmm/virtual_machine.h"

namespace vessel::sandbox {

struct VmSockets {
  std::vector<std::string> paths;  // control, console, gdb, incoming migration: their directories are bound
};

Result<JailPlan> plan_vm_jail(const vmm::VmConfig& config, const VmSockets& sockets,
                              const std::vector<std::string>& extra_binds, JailOptions options);

}  // namespace vessel::sandbox
