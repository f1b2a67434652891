// SCMP_ACT_NOTIFY (runtime-spec 1.1): the filter's user-notification listener fd goes to the
// agent listening on linux.seccomp.listenerPath, with the container process state as JSON
// ({ociVersion, fds: ["seccompFd"], pid, metadata, state}) in the same SCM_RIGHTS message.
// The container side cannot reach that path (it has pivoted), so it hands the fd to the
// runtime over the sync channel, and the runtime delivers it.
#pragma once
#include <sys/types.h>

#include <nlohmann/json.hpp>

#include "container/oci_spec.h"
#include "container/seccomp_filter.h"
#include "container/sync_channel.h"

namespace vessel::container {

// Container side: installs the filter and waits until the runtime has delivered its listener.
void install_notify_filter(const SeccompProgram& program, bool no_new_privileges, const SyncChannel& channel);

// Runtime side, on a SeccompListener message: takes the fd that follows it, sends it on.
void deliver_seccomp_listener(const SyncChannel& channel, const SeccompSpec& spec, pid_t pid, const nlohmann::json& state);

}  // namespace vessel::container
