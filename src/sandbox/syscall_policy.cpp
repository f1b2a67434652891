#include "sandbox/syscall_policy.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

namespace vessel::sandbox {

namespace {

// Kinds as bits; Main is the main thread (it builds and rebuilds the machine).
enum : unsigned {
  V = 1u << static_cast<unsigned>(ThreadKind::Vcpu),
  I = 1u << static_cast<unsigned>(ThreadKind::Io),
  C = 1u << static_cast<unsigned>(ThreadKind::Control),
  K = 1u << static_cast<unsigned>(ThreadKind::Console),
  M = 1u << static_cast<unsigned>(ThreadKind::Migration),
  D = 1u << static_cast<unsigned>(ThreadKind::Debugger),
  Main = 1u << 7,
  All = V | I | C | K | M | D | Main,
};

struct Rule {
  const char* name;
  unsigned kinds;
};

// Without argument checks. Those with checks (mmap, mprotect, ioctl, clone, clone3) follow.
constexpr Rule kRules[] = {
    // What glibc and libstdc++ do behind every thread: memory, locks, time, signals, exit.
    {"read", All}, {"write", All}, {"readv", All}, {"writev", All}, {"close", All},
    {"futex", All}, {"munmap", All}, {"mremap", All}, {"madvise", All}, {"brk", All},
    {"rt_sigreturn", All}, {"rt_sigprocmask", All}, {"sigaltstack", All},
    {"clock_gettime", All}, {"clock_getres", All}, {"clock_nanosleep", All}, {"nanosleep", All},
    {"gettimeofday", All}, {"gettid", All}, {"getpid", All}, {"tgkill", All}, {"exit", All},
    {"exit_group", All}, {"rseq", All}, {"set_robust_list", All}, {"sched_yield", All},
    {"sched_getaffinity", All}, {"getrandom", All}, {"restart_syscall", All}, {"fcntl", All},
    {"lseek", All}, {"fstat", All}, {"newfstatat", All}, {"poll", All}, {"ppoll", All},
    {"epoll_wait", All}, {"epoll_pwait", All}, {"epoll_ctl", All}, {"membarrier", All},
    {"getrusage", All}, {"timerfd_settime", All}, {"timerfd_gettime", All}, {"eventfd2", All},
    // Disk I/O (the I/O thread; snapshots and rebuilding a machine on the others).
    {"pread64", I | C | M | Main}, {"pwrite64", I | C | M | Main}, {"preadv", I | C | Main},
    {"pwritev", I | C | Main}, {"preadv2", I | Main}, {"pwritev2", I | Main},
    {"fsync", I | C | M | Main}, {"fdatasync", I | C | M | Main}, {"fallocate", I | C | Main},
    {"ftruncate", I | C | Main},
    // Sockets already open: console and control clients, gdb, slirp, vsock, migration.
    {"accept", I | C | K | D | Main}, {"accept4", I | C | K | D | Main},
    {"recvfrom", I | C | K | M | D | Main}, {"sendto", I | C | K | M | D | Main},
    {"recvmsg", I | C | K | M | D | Main}, {"sendmsg", I | C | K | M | D | Main},
    {"recvmmsg", I | Main}, {"sendmmsg", I | Main}, {"shutdown", I | C | K | M | D | Main},
    {"setsockopt", I | C | K | M | D | Main}, {"getsockopt", I | C | M | D | Main},
    {"getsockname", I | C | M | D | Main}, {"getpeername", I | C | M | D | Main},
    // New sockets: slirp's connections for the guest, vsock to host sockets, migration.
    {"socket", I | C | M | Main}, {"connect", I | C | M | Main}, {"bind", I | Main},
    {"listen", I | Main}, {"socketpair", Main},
    {"timerfd_create", I | C | M | Main}, {"epoll_create1", I | C | M | Main}, {"pipe2", I | C | M | Main},
    {"dup", I | Main},
    // Files by name: building a machine, writing a snapshot (the jail limits what they reach).
    {"openat", C | Main}, {"fchmod", C | Main}, {"statfs", Main},
    {"faccessat", Main}, {"faccessat2", Main},
    {"getcwd", Main}, {"umask", Main},
    // The 9p server of a shared directory (--share), on the I/O thread: every path resolved
    // with openat2 below the share's root descriptor, then *at calls on the directory found.
    // The jail binds only the shared directories (and the VM's own files) for it to reach.
    {"openat2", I | Main}, {"mkdirat", I | Main}, {"unlinkat", I | C | Main}, {"renameat", I | C | Main},
    {"renameat2", I | C | Main}, {"symlinkat", I | Main}, {"linkat", I | Main}, {"mknodat", I | Main},
    {"readlinkat", I | Main}, {"fchmodat", I | Main}, {"fchownat", I | Main}, {"utimensat", I | Main},
    {"getdents64", I | Main}, {"fstatfs", I | C | Main},
    // x86-64's older names, which glibc still uses for some of the calls above.
    {"unlink", C | Main}, {"rename", C | Main}, {"mkdir", Main}, {"chmod", Main}, {"access", Main},
    {"readlink", Main},
    // Which pages of a mapping are resident (snapshots and migration skip the others).
    {"mincore", C | M | Main},
    // The process itself: signals, names, identity.
    {"rt_sigaction", Main}, {"signalfd4", Main}, {"prctl", C | K | M | D | I | V | Main},
    // Loading the filter of a thread started from here (libseccomp sets no_new_privs first).
    {"seccomp", C | K | D | Main},
    {"uname", Main}, {"sysinfo", Main}, {"getppid", Main}, {"getuid", Main}, {"geteuid", Main},
    {"getgid", Main}, {"getegid", Main}, {"sched_setaffinity", Main}, {"wait4", Main},
};

constexpr unsigned long kTtyIoctls[] = {TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGWINSZ};
constexpr unsigned long kSocketIoctls[] = {FIONREAD, FIONBIO, TIOCOUTQ};


struct CtxFree {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};
using Ctx = std::unique_ptr<void, CtxFree>;

Result<bool> add(scmp_filter_ctx ctx, const char* name, unsigned n = 0, const scmp_arg_cmp* args = nullptr,
                 uint32_t action = SCMP_ACT_ALLOW) {
  const int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) return Error{std::string("seccomp: unknown system call ") + name};
  if (int rc = seccomp_rule_add_array(ctx, action, nr, n, args); rc < 0)
    return Error{std::string("seccomp: rule for ") + name + ": " + strerror(-rc)};
  return true;
}

// The filter of the kinds in `kinds` (one kind, or every kind for the main thread).
Result<Ctx> build(unsigned kinds) {
  Ctx ctx(seccomp_init(SCMP_ACT_TRAP));
  if (!ctx) return Error{"seccomp: cannot initialise a filter"};
  for (const Rule& r : kRules)
    if (r.kinds & kinds)
      if (auto ok = add(ctx.get(), r.name); !ok) return Error{ok.error()};
  // Executable memory only for the JIT (vCPU threads, and the main thread that builds it);
  // mprotect never makes memory executable.
  const scmp_arg_cmp no_exec_mmap[] = {SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)};
  if (kinds & (V | Main)) {
    if (auto ok = add(ctx.get(), "mmap"); !ok) return Error{ok.error()};
  } else if (auto ok = add(ctx.get(), "mmap", 1, no_exec_mmap); !ok) {
    return Error{ok.error()};
  }
  if (auto ok = add(ctx.get(), "mprotect", 1, no_exec_mmap); !ok) return Error{ok.error()};
  // Threads only (CLONE_THREAD), never a process; clone3 hides its flags in memory, so it
  // answers ENOSYS and glibc falls back to clone.
  if (kinds & (C | K | D | Main)) {
    const scmp_arg_cmp thread_only[] = {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)};
    if (auto ok = add(ctx.get(), "clone", 1, thread_only); !ok) return Error{ok.error()};
  }
  if (auto ok = add(ctx.get(), "clone3", 0, nullptr, SCMP_ACT_ERRNO(ENOSYS)); !ok) return Error{ok.error()};
  // getrlimit (glibc's is prlimit64 on itself): reading only, never setting.
  if (kinds & Main) {
    const scmp_arg_cmp read_only[] = {SCMP_A2(SCMP_CMP_EQ, 0)};
    if (auto ok = add(ctx.get(), "prlimit64", 1, read_only); !ok) return Error{ok.error()};
  }
  // Files opened read-only by name: libslirp reads /etc/resolv.conf (bound into the jail for
  // user-mode NICs) on the I/O thread when the guest first asks its DNS forwarder; glibc's
  // getaddrinfo may read /etc/hosts and /etc/gai.conf (absent from the jail) for the
  // migration connection and the gdb stub.
  if ((kinds & (I | M | D)) && !(kinds & Main)) {
    const scmp_arg_cmp read_only[] = {SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY)};
    if (auto ok = add(ctx.get(), "openat", 1, read_only); !ok) return Error{ok.error()};
  }
  // ioctl by request number: the terminal (console), socket queue sizes (slirp, vsock).
  std::vector<unsigned long> ioctls;
  if (kinds & (K | Main)) ioctls.insert(ioctls.end(), std::begin(kTtyIoctls), std::end(kTtyIoctls));
  if (kinds & (I | C | K | M | D | Main)) ioctls.insert(ioctls.end(), std::begin(kSocketIoctls), std::end(kSocketIoctls));
  for (unsigned long request : ioctls) {
    const scmp_arg_cmp arg[] = {SCMP_A1(SCMP_CMP_EQ, request)};
    if (auto ok = add(ctx.get(), "ioctl", 1, arg); !ok) return Error{ok.error()};
  }
  return ctx;
}

// The BPF program of `kinds`, compiled once by libseccomp (exported through a memfd).
}  // namespace

Result<std::vector<sock_filter>> compile_policy(unsigned kinds) {
  auto ctx = build(kinds);
  if (!ctx) return Error{ctx.error()};
  const int fd = memfd_create("vessel-seccomp", MFD_CLOEXEC);
  if (fd < 0) return Error{std::string("seccomp: memfd: ") + strerror(errno)};
  std::vector<sock_filter> code;
  if (int rc = seccomp_export_bpf(ctx.value().get(), fd); rc < 0) {
    close(fd);
    return Error{std::string("seccomp: export: ") + strerror(-rc)};
  }
  const off_t size = lseek(fd, 0, SEEK_END);
  code.resize(static_cast<size_t>(size) / sizeof(sock_filter));
  const bool read_all = size > 0 && pread(fd, code.data(), static_cast<size_t>(size), 0) == size;
  close(fd);
  if (!read_all || code.empty()) return Error{"seccomp: cannot read the exported filter"};
  return code;
}

unsigned kind_bit(ThreadKind kind) { return 1u << static_cast<unsigned>(kind); }

unsigned main_thread_policy() { return All; }

std::string allowed_syscalls(ThreadKind kind) {
  std::string out;
  for (const Rule& r : kRules)
    if (r.kinds & kind_bit(kind)) out += std::string(out.empty() ? "" : " ") + r.name;
  if (kind == ThreadKind::Io || kind == ThreadKind::Migration || kind == ThreadKind::Debugger)
    out += " openat(read-only)";
  return out + " mmap mprotect ioctl";
}

}  // namespace vessel::sandbox
