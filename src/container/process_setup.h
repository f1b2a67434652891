// The last steps inside the container before execve: limits, identity, capabilities,
// no_new_privs, seccomp, umask, working directory, and the exec itself.
#pragma once
#include <string>
#include <vector>

#include "container/oci_spec.h"
#include "container/seccomp_filter.h"

namespace vessel::container {

void apply_rlimits(const std::vector<Rlimit>& rlimits);

// Applies everything in `process` (and the seccomp filter, if any) to the calling process,
// then execs process.args. Returns only by throwing.
[[noreturn]] void finalize_and_exec(const ProcessSpec& process, const SeccompProgram* seccomp);

// Finds `program` in the PATH given by `env` ("PATH=..."), or returns it unchanged.
std::string find_program(const std::string& program, const std::vector<std::string>& env);

// Exit status convention for a process ended by a signal (shell style: 128 + signal).
int exit_status_from_wait(int wait_status);

}  // namespace vessel::container
