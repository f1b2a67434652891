// Builds and loads the seccomp filter described by linux.seccomp, through libseccomp.
#pragma once
#include "container/oci_spec.h"

namespace vessel::container {

// Loads the filter into the calling process. Syscall names unknown to libseccomp are skipped
// (profiles list syscalls of newer kernels); everything else invalid is a BadInput error.
void load_seccomp_filter(const SeccompSpec& spec);

}  // namespace vessel::container
