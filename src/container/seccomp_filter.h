// Builds the seccomp filter described by linux.seccomp through libseccomp, and installs it.
// The two steps are apart so that a profile libseccomp rejects fails `create` or `exec` in the
// runtime, before any container process exists, instead of killing an init after `start`.
#pragma once
#include <linux/filter.h>

#include <vector>

#include "container/oci_spec.h"

namespace vessel::container {

struct SeccompProgram {
  std::vector<sock_filter> instructions;
  unsigned flags = 0;     // SECCOMP_FILTER_FLAG_* given to seccomp(2)
  bool notify = false;    // has SCMP_ACT_NOTIFY: installing it yields a listener fd
};

// Compiles the profile to BPF. Syscall names unknown to libseccomp are skipped (profiles list
// syscalls of newer kernels); everything else invalid is a BadInput error.
SeccompProgram compile_seccomp_filter(const SeccompSpec& spec);

// Installs a compiled filter on the calling thread. Needs no_new_privs or CAP_SYS_ADMIN.
// Returns the user-notification listener fd when program.notify, else -1.
int install_seccomp_program(const SeccompProgram& program);

}  // namespace vessel::container
