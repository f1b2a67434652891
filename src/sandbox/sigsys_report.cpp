#include "sandbox/sigsys_report.h"

#include <seccomp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cstring>

namespace vessel::sandbox {
namespace {

constexpr int kNames = 512;
// Filled once before any filter is loaded; read by the handler (no allocation there).
std::array<const char*, kNames> g_names{};
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
  const char* name = nr >= 0 && nr < kNames && g_names[nr] ? g_names[nr] : "unknown";
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
  for (int nr = 0; nr < kNames; ++nr)
    if (g_names[nr] == nullptr) g_names[nr] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);  // kept
  struct sigaction sa {};
  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSYS, &sa, nullptr);
}

void note_thread_kind(ThreadKind kind) { t_kind = thread_kind_name(kind); }

}  // namespace vessel::sandbox
