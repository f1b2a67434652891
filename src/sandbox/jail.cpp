#include "sandbox/jail.h"

#include "net/vde_backend.h"

#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "common/host_open.h"
#include "net/tap_backend.h"
#include "sandbox/keeper.h"
#include "sandbox/privileges.h"

namespace vessel::sandbox {
namespace {

Error failed(const std::string& what) { return Error{"--sandbox: " + what + ": " + strerror(errno)}; }

Result<bool> make_dirs(const std::string& path) {
  std::string partial;
  size_t at = 0;
  while (at != std::string::npos) {
    const size_t next = path.find('/', at + 1);
    partial = path.substr(0, next);
    if (!partial.empty() && mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) return failed("mkdir " + partial);
    at = next;
  }
  return true;
}

Result<bool> bind_one(const std::string& root, const Bind& b, bool device) {
  const std::string target = root + b.path;
  struct stat st {};
  if (stat(b.path.c_str(), &st) != 0) return failed("bind " + b.path);
  const bool dir = S_ISDIR(st.st_mode);
  if (auto ok = make_dirs(dir ? target : target.substr(0, target.rfind('/'))); !ok) return ok;
  if (!dir) {
    const int fd = open(target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST && errno != EISDIR) return failed("create " + target);
    if (fd >= 0) close(fd);
  }
  if (mount(b.path.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) return failed("bind " + b.path);
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | (device ? 0 : MS_NODEV | MS_NOEXEC);
  if (!b.writable) flags |= MS_RDONLY;
  if (mount(nullptr, target.c_str(), nullptr, flags, nullptr) != 0) return failed("remount " + target);
  return true;
}

// The jail's group may create sockets in its read-write directories; the sticky bit keeps
// it from removing or renaming what others (the daemon) put there.
Result<bool> share_directories(const JailPlan& plan) {
  for (const Bind& b : plan.binds) {
    if (!b.writable || !b.directory || b.guest_share) continue;
    struct stat st {};
    if (stat(b.path.c_str(), &st) != 0) return failed("stat " + b.path);
    if (chown(b.path.c_str(), st.st_uid, plan.options.gid) != 0) return failed("chown " + b.path);
    if (chmod(b.path.c_str(), (st.st_mode & 07777) | S_IRWXG | S_ISVTX) != 0) return failed("chmod " + b.path);
  }
  return true;
}

// cgroup v2 (memory.max) or a v1 memory hierarchy (memory.limit_in_bytes); the keeper joins
// before it forks, so the VMM and all its threads are in it.
Result<bool> join_cgroup(const JailOptions& o) {
  if (o.cgroup.empty()) return true;
  if (mkdir(o.cgroup.c_str(), 0755) != 0 && errno != EEXIST) return failed("cgroup " + o.cgroup);
  if (o.cgroup_memory_max) {
    struct stat st {};
    const std::string v2 = o.cgroup + "/memory.max", v1 = o.cgroup + "/memory.limit_in_bytes";
    const std::string& file = stat(v2.c_str(), &st) == 0 ? v2 : v1;
    std::ofstream limit(file);
    limit << o.cgroup_memory_max << std::flush;
    if (!limit) return Error{"--sandbox: cannot set the memory limit in " + o.cgroup + " (no memory controller there?)"};
  }
  std::ofstream procs(o.cgroup + "/cgroup.procs");
  procs << getpid() << std::flush;
  if (!procs) return Error{"--sandbox: cannot join cgroup " + o.cgroup};
  return true;
}

Result<bool> build_root(const JailPlan& plan) {
  const std::string& root = plan.options.mount_point;
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    if (errno == EINVAL)  // "/" is not a mount point: a chroot, where pivot_root cannot work either
      return Error{"--sandbox: / is not a mount point (running in a chroot?); the jail needs a real root "
                   "filesystem (a container or systemd-nspawn), or turn it off (--no-sandbox)"};
    return failed("make / private");
  }
  if (mount("tmpfs", root.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=1m") != 0)
    return failed("tmpfs on " + root);
  std::vector<Bind> binds = plan.binds;
  // Outer directories first, so that a file inside a bound directory lands in it.
  std::sort(binds.begin(), binds.end(), [](const Bind& a, const Bind& b) { return a.path.size() < b.path.size(); });
  for (const Bind& b : binds)
    if (auto ok = bind_one(root, b, b.path.rfind("/dev/", 0) == 0); !ok) return ok;
  for (const char* dev : {"/dev/null", "/dev/zero", "/dev/urandom", "/dev/random"})
    if (auto ok = bind_one(root, Bind{dev, true, false}, true); !ok) return ok;
  if (auto ok = make_dirs(root + "/proc"); !ok) return ok;
  if (mount("proc", (root + "/proc").c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    return failed("mount /proc");
  if (chdir(root.c_str()) != 0) return failed("chdir " + root);
  if (syscall(SYS_pivot_root, ".", ".") != 0) return failed("pivot_root");
  if (umount2(".", MNT_DETACH) != 0) return failed("detach the old root");
  if (chdir("/") != 0) return failed("chdir /");
  if (mount(nullptr, "/", nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    return failed("read-only root");
  return true;
}

Result<bool> open_ahead(const JailPlan& plan) {
  for (const Preopen& p : plan.files) {
    const int fd = open(p.path.c_str(), (p.writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) return failed("open " + p.path);
    register_preopened(p.path, fd, p.writable);
  }
  for (const std::string& ifname : plan.taps) {
    const int fd = net::attach_tap(ifname);
    if (fd < 0) return failed("attach TAP " + ifname);
    register_preopened_tap(ifname, fd);
  }
  return true;
}

}  // namespace

Result<bool> enter_jail(const JailPlan& plan) {
  if (geteuid() != 0) return Error{"--sandbox needs root (it sets up namespaces and changes uid)"};
  if (auto ok = make_dirs(plan.options.mount_point); !ok) return ok;
  if (auto ok = share_directories(plan); !ok) return ok;
  if (auto ok = join_cgroup(plan.options); !ok) return ok;
  if (unshare(CLONE_NEWPID) != 0) return failed("new pid namespace");
  const pid_t child = fork();
  if (child < 0) return failed("fork");
  if (child > 0) run_keeper(child);
  // pid 1 of the new namespace from here on.
  if (unshare(CLONE_NEWNS | CLONE_NEWIPC) != 0) return failed("new mount and IPC namespaces");
  // VDE switches are joined from the host's view, before the root changes: joining binds a
  // socket in the switch's directory, which stays outside the jail.
  for (const std::string& path : plan.vde_switches)
    if (auto ok = net::VdeBackend::preopen(path); !ok) return Error{"--sandbox: " + ok.error()};
  if (auto ok = build_root(plan); !ok) return ok;
  if (auto ok = open_ahead(plan); !ok) return ok;
  if (auto ok = set_rlimits(plan.options); !ok) return ok;
  // One malloc arena: glibc shrinks the heaps of per-thread arenas only after reading
  // /proc/sys/vm/overcommit_memory (openat, which a vCPU thread must never make); the main
  // arena shrinks with brk. No thread exists yet, so no other arena does.
  mallopt(M_ARENA_MAX, 1);
  if (auto ok = drop_privileges(plan.options.uid, plan.options.gid); !ok) return ok;
  // It dies with its keeper. After the uid change, which clears the parent-death signal.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return failed("PR_SET_PDEATHSIG");
  return true;
}

}  // namespace vessel::sandbox
