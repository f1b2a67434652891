#include "sandbox/syscall_filter.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "sandbox/fault_injection.h"
#include "sandbox/sigsys_report.h"

namespace vessel::sandbox {
namespace {

// vessel-seccomp-gen's output: kPrograms[kind] and kMainProgram, compiled when Vessel was built.
#include "seccomp_programs.inc"

// no_new_privs is set for the whole process by then (privileges.cpp).
int load_program(const sock_filter* code, size_t len) {
  sock_fprog prog{static_cast<unsigned short>(len), const_cast<sock_filter*>(code)};
  return static_cast<int>(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog));
}

}  // namespace

void enter_filtered_thread(ThreadKind kind) {
  note_thread_kind(kind);
  const auto& p = kPrograms[static_cast<size_t>(kind)];
  if (load_program(p.code, p.len) != 0) {
    fprintf(stderr, "vessel-vmm: %s thread: seccomp: %s\n", thread_kind_name(kind), strerror(errno));
    _exit(1);
  }
  inject_fault(kind);
}

Result<bool> install_syscall_filters() {
  install_sigsys_reporter();
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || load_program(kMainProgram.code, kMainProgram.len) != 0)
    return Error{std::string("seccomp: load: ") + strerror(errno)};
  set_thread_kind_hook(&enter_filtered_thread);
  return true;
}

}  // namespace vessel::sandbox
