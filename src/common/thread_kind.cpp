#include "common/thread_kind.h"

#include <sys/prctl.h>

#include <atomic>
#include <string>

namespace vessel {
namespace {
std::atomic<ThreadKindHook> g_hook{nullptr};
}  // namespace

const char* thread_kind_name(ThreadKind kind) {
  switch (kind) {
    case ThreadKind::Vcpu: return "vcpu";
    case ThreadKind::Io: return "io";
    case ThreadKind::Control: return "control";
    case ThreadKind::Console: return "console";
    case ThreadKind::Migration: return "migration";
    case ThreadKind::Debugger: return "debugger";
  }
  return "?";
}

void set_thread_kind_hook(ThreadKindHook hook) { g_hook.store(hook); }

void enter_thread_kind(ThreadKind kind) {
  // Named for ps, top and gdb ("vmm-vcpu", "vmm-io", ...).
  const std::string name = std::string("vmm-") + thread_kind_name(kind);
  prctl(PR_SET_NAME, name.c_str(), 0, 0, 0);
  if (ThreadKindHook hook = g_hook.load()) hook(kind);
}

}  // namespace vessel
