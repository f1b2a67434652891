// Test-only fault injection (builds with VESSEL_FAULT_INJECTION, on in Debug builds):
// VESSEL_FAULT_INJECT=vcpu:openat (or vcpu:execve, vcpu:socket) makes each vCPU thread make
// that forbidden system call as soon as its filter is loaded, so the tests can watch the
// VMM die and be reported. Does nothing in other builds.
#pragma once
#include "common/thread_kind.h"

namespace vessel::sandbox {

// True when this build carries the fault injection.
bool fault_injection_built();
// Called by each filtered thread after its filter is loaded.
void inject_fault(ThreadKind kind);

}  // namespace vessel::sandbox
