// Reports a system call the filter refused: a SIGSYS handler (SCMP_ACT_TRAP) writes
//   vessel-vmm: seccomp: the vcpu thread called openat (syscall 257); the VMM is killed
// to stderr (the VMM's log under vesseld) with async-signal-safe calls only, then the
// process dies of SIGSYS. vesseld reads that line into `last_exit: seccomp openat`.
#pragma once
#include "common/thread_kind.h"

namespace vessel::sandbox {

// Installs the handler.
void install_sigsys_reporter();
// Records the calling thread's kind for the report.
void note_thread_kind(ThreadKind kind);

}  // namespace vessel::sandbox
