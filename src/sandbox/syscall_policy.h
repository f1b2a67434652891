// The allow-lists as data, and their compilation to BPF with libseccomp. Used at build time
// by vessel-seccomp-gen (seccomp_gen.cpp), which writes the compiled programs into the
// sandbox library (as Firecracker compiles its filters when it is built): a jailed VMM loads
// them without compiling anything. The build host must have the target's architecture.
#pragma once
#include <linux/filter.h>

#include <string>
#include <vector>

#include "common/result.h"
#include "common/thread_kind.h"

namespace vessel::sandbox {

constexpr int kThreadKinds = 6;  // ThreadKind::Vcpu .. ThreadKind::Debugger

unsigned kind_bit(ThreadKind kind);
// The main thread's list: the union of every kind's, plus building and rebuilding a machine.
unsigned main_thread_policy();
// The BPF program allowing what the kinds in `kinds` (bits) may call; the rest traps.
Result<std::vector<sock_filter>> compile_policy(unsigned kinds);

// The names of the system calls `kind` may make (docs, tests).
std::string allowed_syscalls(ThreadKind kind);

}  // namespace vessel::sandbox
