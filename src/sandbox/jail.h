// Puts the calling (single-threaded) process in a jail, Firecracker's jailer in-process:
//   - a new pid namespace: the process forks; the parent stays outside as the jail's keeper
//     (keeper.h) and never returns from enter_jail(); the child is pid 1 inside and goes on;
//   - its own mount and IPC namespaces; a tmpfs root holding only the plan's binds (each at
//     its host path), /dev/null, /dev/zero, /dev/urandom, /dev/random, a /proc of its own pid
//     namespace; pivot_root into it, the old root detached, the new root read-only;
//   - the plan's files opened and its TAPs attached (common/host_open.h), then an unprivileged
//     uid and gid, no supplementary groups, no capabilities (bounding set emptied),
//     no_new_privs, rlimits on open files, file size of core dumps and address space, and the
//     optional cgroup.
// The caller then loads the syscall filters (syscall_filter.h). Needs root.
#pragma once
#include "common/result.h"
#include "sandbox/jail_plan.h"

namespace vessel::sandbox {

Result<bool> enter_jail(const JailPlan& plan);

}  // namespace vessel::sandbox
