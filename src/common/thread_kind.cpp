#include "common/thread_kind.h"

#include <atomic>

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
  if (ThreadKindHook hook = g_hook.load()) hook(kind);
}

}  // namespace vessel
