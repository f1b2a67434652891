// The kinds of threads a VMM runs, and the hook each calls first. The VMM's sandbox
// (src/sandbox) installs a seccomp allow-list per kind through the hook; without a sandbox
// the hook does nothing. One process-wide function pointer, set once before any thread of a
// kind starts: the layers below the sandbox only name their threads, they do not depend on it.
#pragma once

namespace vessel {

enum class ThreadKind {
  Vcpu,       // one per hart: runs guest code, MMIO, SBI calls
  Io,         // the event loop: disks, NICs (slirp, TAP), vsock, timers
  Control,    // the control socket server and the signal watcher
  Console,    // console attach: the accept loop, its clients, the stdin reader
  Migration,  // an outgoing live migration
  Debugger,   // the gdb stub
};

const char* thread_kind_name(ThreadKind kind);

using ThreadKindHook = void (*)(ThreadKind);
// Set by the sandbox before it lets threads start; nullptr turns it off.
void set_thread_kind_hook(ThreadKindHook hook);
// Called by each thread of a VMM as its first statement: names the thread (vmm-KIND), then
// calls the hook.
void enter_thread_kind(ThreadKind kind);

}  // namespace vessel
