// The processes that become a container. The runtime forks a "setup" process which joins and
// creates namespaces (a new pid namespace only applies to its children), then forks the
// container's init, which builds the root filesystem, waits for `start`, and execs the
// user's program. Both report to the runtime over a SyncChannel.
#pragma once
#include <string>

#include "container/oci_spec.h"
#include "container/rootfs.h"
#include "container/seccomp_filter.h"
#include "container/sync_channel.h"

namespace vessel::container {

struct InitRequest {
  const Spec* spec = nullptr;
  RootfsPlan rootfs;
  // The state directory (holding exec.fifo when wait_on_fifo), opened O_PATH by the runtime: the
  // init may run as a user-namespace root that could not walk the path to it.
  int state_dir_fd = -1;
  std::string console_socket;  // empty unless process.terminal
  int preserve_fds = 0;
  bool wait_on_fifo = false;   // `create`: block on exec.fifo; `run`: wait for Proceed
  const SyncChannel* channel = nullptr;
  const SeccompProgram* seccomp = nullptr;  // compiled by the runtime from linux.seccomp
  // The runtime moves a directly forked init into its cgroup while the init builds its root
  // filesystem (joining a cgroup waits out an RCU grace period, several milliseconds), then
  // sends a second Proceed; the init waits for it before its cgroup namespace, hooks or exec.
  bool cgroup_join_in_parallel = false;
};

// A new user namespace must exist before the pid namespace it will own, so the runtime forks a
// setup process for it; otherwise the runtime forks the init itself (one fork less).
bool needs_setup_process(const Spec& spec);
// Runs in the forked setup process; never returns.
[[noreturn]] void run_setup_process(const InitRequest& request);
// Runs in an init forked directly by the runtime inside ChildNamespaces; never returns.
[[noreturn]] void run_direct_init(const InitRequest& request);

// Common start of every process that ends up inside a container: marks inherited fds above
// 2 + preserve_fds close-on-exec and restores the default signal mask.
void sanitize_inherited_state(int preserve_fds);

}  // namespace vessel::container
