// The VMM's seccomp-bpf allow-lists, one per thread kind (common/thread_kind.h), through
// libseccomp. The main thread loads the union of every list once the jail is set up; each
// thread then loads its own list as its first statement (filters stack, the strictest answer
// wins, no TSYNC), so a vCPU thread keeps only what running guest code needs. A system call
// outside the list traps (SIGSYS): sigsys_report.h names it on stderr and the process dies.
// The lists are syscall_policy.h's, compiled to BPF when Vessel is built.
#pragma once
#include "common/result.h"
#include "common/thread_kind.h"

namespace vessel::sandbox {

// Loads the main thread's list (the union, plus what building and rebuilding the machine
// needs) and sets the hook through which every later thread loads its own.
Result<bool> install_syscall_filters();

// Loads the list of `kind` on the calling thread (the hook). Ends the process when the
// kernel refuses the filter: a thread must never run unfiltered in a jailed VMM.
void enter_filtered_thread(ThreadKind kind);


}  // namespace vessel::sandbox
