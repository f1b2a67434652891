#include "sandbox/sigsys_report.h"

#include <linux/filter.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>

namespace vessel::sandbox {
namespace {

// kSyscallNames[512], by number (generated with the filters, by vessel-seccomp-gen); the
// handler reads it without allocating.
namespace programs {
#include "seccomp_programs.inc"
}  // namespace programs
constexpr int kNames = sizeof programs::kSyscallNames / sizeof programs::kSyscallNames[0];
thread_local const char* t_kind = "main";

void put(const char* s) { (void)!write(STDERR_FILENO, s, strlen(s)); }

void put_number(long n) {
  char buf[24];
  int i = sizeof buf;
  buf[--i] = 0;
  if (n < 0) n = 0;
  do buf[--i] = static_cast<char>('0' + n % 10);
  while ((n /= 10) && i > 0);
  put(buf + i);
}

void on_sigsys(int, siginfo_t* info, void*) {
  const int nr = info->si_syscall;
  const char* name = nr >= 0 && nr < kNames && programs::kSyscallNames[nr] ? programs::kSyscallNames[nr] : "unknown";
  put("vessel-vmm: seccomp: the ");
  put(t_kind);
  put(" thread called ");
  put(name);
  put(" (syscall ");
  put_number(nr);
  put("); the VMM is killed\n");
  // Die of SIGSYS even as the init of a pid namespace: with the default action back and
  // SIGSYS blocked in this handler, the next refused call is a forced, fatal signal.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigaction(SIGSYS, &dfl, nullptr);
  syscall(SYS_reboot, 0, 0, 0, nullptr);  // in no allow-list
  _exit(128 + SIGSYS);
}

}  // namespace

void install_sigsys_reporter() {
  struct sigaction sa {};
  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSYS, &sa, nullptr);
}

void note_thread_kind(ThreadKind kind) { t_kind = thread_kind_name(kind); }

}  // namespace vessel::sandbox
