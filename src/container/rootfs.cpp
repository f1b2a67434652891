#include "container/rootfs.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <vector>

#include "container/error.h"
#include "container/mount_options.h"
#include "container/path_in_root.h"

namespace vessel::container {

namespace {

void do_mount(const std::string& source, const std::string& target, const char* type, unsigned long flags,
              const std::string& data) {
  if (mount(source.empty() ? nullptr : source.c_str(), target.c_str(), type, flags, data.empty() ? nullptr : data.c_str()) != 0)
    throw_errno("mount " + (source.empty() ? std::string(type ? type : "") : source) + " on " + target);
}

// Flags the kernel locks on mounts inherited from a more privileged namespace: a remount
// must keep them or it fails with EPERM.
unsigned long locked_flags(const std::string& path) {
  struct statvfs st {};
  if (statvfs(path.c_str(), &st) != 0) return 0;
  unsigned long flags = 0;
  if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (st.f_flag & ST_RDONLY) flags |= MS_RDONLY;
  if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  return flags;
}

void remount_bind(const std::string& target, unsigned long flags) {
  const unsigned long wanted = (flags & ~(MS_REC | MS_BIND | MS_REMOUNT)) | MS_BIND | MS_REMOUNT;
  if (mount(nullptr, target.c_str(), nullptr, wanted, nullptr) == 0) return;
  if (errno != EPERM) throw_errno("remount " + target);
  if (mount(nullptr, target.c_str(), nullptr, wanted | locked_flags(target), nullptr) != 0) throw_errno("remount " + target);
}

// /sys/fs/cgroup: the container's own cgroup directories, read-only unless "rw" was asked.
void mount_cgroup_tree(const RootfsPlan& plan, const std::string& target, const MountOptions& opts) {
  if (!plan.cgroups) return;
  const bool readonly = opts.flags & MS_RDONLY;
  if (plan.cgroups->mode == CgroupMode::Unified) {
    const CgroupHierarchy* u = plan.cgroups->unified();
    if (!u) return;
    ensure_mountpoint(target, false);
    do_mount(u->mount_point + plan.cgroup_path, target, nullptr, MS_BIND | MS_REC, "");
    if (readonly) remount_bind(target, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
    return;
  }
  ensure_mountpoint(target, false);
  do_mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755");
  for (const auto& h : plan.cgroups->hierarchies) {
    std::string name = h.mount_point.substr(h.mount_point.find_last_of('/') + 1);
    const std::string sub = target + "/" + name;
    if (mkdir(sub.c_str(), 0755) != 0 && errno != EEXIST) throw_errno("mkdir " + sub);
    do_mount(h.mount_point + plan.cgroup_path, sub, nullptr, MS_BIND | MS_REC, "");
    if (readonly) remount_bind(sub, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
  }
  if (readonly) remount_bind(target, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
}

void mount_one(const RootfsPlan& plan, const MountSpec& m) {
  MountOptions opts = parse_mount_options(m.options);
  const std::string target = resolve_in_root(plan.rootfs, m.destination);
  if (m.type == "bind") opts.bind = true, opts.flags |= MS_BIND;
  if (m.type == "cgroup" || m.type == "cgroup2") {
    mount_cgroup_tree(plan, target, opts);
    return;
  }
  if (opts.bind) {
    std::string source = m.source;
    if (!source.empty() && source[0] != '/') source = plan.bundle + "/" + source;
    struct stat st {};
    if (stat(source.c_str(), &st) != 0) throw_errno("bind mount source " + source);
    if (!ensure_mountpoint(target, !S_ISDIR(st.st_mode))) throw_errno("create mount point " + target);
    do_mount(source, target, nullptr, MS_BIND | (opts.flags & MS_REC), "");
    if (opts.flags & ~(MS_BIND | MS_REC)) remount_bind(target, opts.flags);
  } else {
    if (!ensure_mountpoint(target, false)) throw_errno("create mount point " + target);
    const unsigned long flags = opts.flags & ~MS_REC;
    if (mount(m.source.empty() ? m.type.c_str() : m.source.c_str(), target.c_str(), m.type.c_str(), flags,
              opts.data.empty() ? nullptr : opts.data.c_str()) != 0) {
      // Without its own network (or ipc) namespace a container may not mount a fresh sysfs
      // (or mqueue); show it the host's instead, with the requested flags.
      const bool fallback = errno == EPERM && (m.type == "sysfs" || m.type == "mqueue");
      if (!fallback) throw_errno("mount " + m.type + " on " + m.destination);
      do_mount(m.type == "sysfs" ? "/sys" : "/dev/mqueue", target, nullptr, MS_BIND | MS_REC, "");
      remount_bind(target, flags);
    }
  }
  for (unsigned long p : opts.propagation) do_mount("", target, nullptr, p, "");
}

struct DefaultDevice {
  const char* name;
  unsigned major, minor;
};
constexpr DefaultDevice kDefaultDevices[] = {
    {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

// mknod, or (in a user namespace, where mknod is refused) a bind mount of the host's node.
void create_device(const std::string& target, mode_t type, unsigned major, unsigned minor, mode_t mode, const std::string& host_path) {
  unlink(target.c_str());
  if (mknod(target.c_str(), type | mode, makedev(major, minor)) == 0) {
    chmod(target.c_str(), mode);  // mknod applies the umask
    return;
  }
  if (errno != EPERM) throw_errno("mknod " + target);
  if (!ensure_mountpoint(target, true)) throw_errno("create " + target);
  do_mount(host_path, target, nullptr, MS_BIND, "");
}

void populate_dev(const RootfsPlan& plan) {
  const Spec& spec = *plan.spec;
  bool dev_mounted = false;
  for (const auto& m : spec.mounts) dev_mounted |= m.destination == "/dev" && m.type != "bind";
  const std::string dev = resolve_in_root(plan.rootfs, "/dev");
  if (dev_mounted) {
    for (const auto& d : kDefaultDevices)
      create_device(dev + "/" + d.name, S_IFCHR, d.major, d.minor, 0666, std::string("/dev/") + d.name);
    const std::pair<const char*, const char*> links[] = {
        {"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
        {"/proc/self/fd/2", "stderr"}, {"/proc/kcore", "core"}, {"pts/ptmx", "ptmx"},
    };
    for (const auto& [from, name] : links) {
      const std::string link = dev + "/" + name;
      if (std::string(name) == "ptmx") unlink(link.c_str());
      if (symlink(from, link.c_str()) != 0 && errno != EEXIST) throw_errno("symlink " + link);
    }
  }
  for (const auto& d : spec.linux_spec.devices) {
    const std::string target = resolve_in_root(plan.rootfs, d.path);
    const mode_t type = d.type == 'b' ? S_IFBLK : d.type == 'p' ? S_IFIFO : S_IFCHR;
    if (!ensure_mountpoint(target.substr(0, target.find_last_of('/')), false)) throw_errno("create " + target);
    create_device(target, type, static_cast<unsigned>(d.major), static_cast<unsigned>(d.minor), d.file_mode.value_or(0666) & 07777, d.path);
    if (d.uid || d.gid) (void)!chown(target.c_str(), d.uid.value_or(0), d.gid.value_or(0));
  }
}

unsigned long propagation_flags(const std::string& name) {
  if (name == "private") return MS_PRIVATE;
  if (name == "rprivate") return MS_PRIVATE | MS_REC;
  if (name == "slave") return MS_SLAVE;
  if (name == "rslave") return MS_SLAVE | MS_REC;
  if (name == "shared") return MS_SHARED;
  if (name == "rshared") return MS_SHARED | MS_REC;
  if (name == "unbindable") return MS_UNBINDABLE;
  if (name == "runbindable") return MS_UNBINDABLE | MS_REC;
  return 0;
}

}  // namespace

void prepare_rootfs(const RootfsPlan& plan) {
  // Nothing done here may propagate back to the host (which it shares without a namespace).
  if (plan.own_mount_namespace) do_mount("", "/", nullptr, MS_SLAVE | MS_REC, "");
  if (plan.overlay) {
    do_mount("overlay", plan.rootfs, "overlay", 0,
             "lowerdir=" + plan.overlay_base + ",upperdir=" + plan.overlay_upper + ",workdir=" + plan.overlay_work);
  } else {
    // pivot_root needs the new root to be a mount point; under chroot it keeps a remount of
    // "/" (read-only root, propagation) on the container's root, not the host's.
    do_mount(plan.rootfs, plan.rootfs, nullptr, MS_BIND | MS_REC, "");
  }
  for (const auto& m : plan.spec->mounts) mount_one(plan, m);
  populate_dev(plan);
}

namespace {
void pivot_into(const std::string& rootfs) {
  const int old_root = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (old_root < 0) throw_errno("open /");
  if (chdir(rootfs.c_str()) != 0) throw_errno("chdir " + rootfs);
  // pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves
  // only the container's root without needing a directory for the old one.
  if (syscall(SYS_pivot_root, ".", ".") != 0) throw_errno("pivot_root " + rootfs);
  if (fchdir(old_root) != 0) throw_errno("fchdir old root");
  close(old_root);
  if (mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) throw_errno("make old root a slave");
  if (umount2(".", MNT_DETACH) != 0) throw_errno("detach old root");
  if (chdir("/") != 0) throw_errno("chdir /");
}
}  // namespace

void enter_root(const RootfsPlan& plan) {
  if (plan.own_mount_namespace) return pivot_into(plan.rootfs);
  if (chdir(plan.rootfs.c_str()) != 0) throw_errno("chdir " + plan.rootfs);
  if (chroot(".") != 0) throw_errno("chroot " + plan.rootfs);
  if (chdir("/") != 0) throw_errno("chdir /");
}

void detach_mounts_under(const std::string& path) {
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::vector<std::string> targets;
  for (std::string line; std::getline(mountinfo, line);) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, target;
    fields >> id >> parent >> dev >> root >> target;
    if (target == path || target.rfind(path + "/", 0) == 0) targets.push_back(target);
  }
  // mountinfo lists parents before children: detach in reverse order.
  for (auto it = targets.rbegin(); it != targets.rend(); ++it) umount2(it->c_str(), MNT_DETACH);
}

void finish_rootfs(const Spec& spec) {
  for (const auto& path : spec.linux_spec.masked_paths) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) continue;  // nothing to hide
    if (S_ISDIR(st.st_mode)) do_mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0k");
    else do_mount("/dev/null", path, nullptr, MS_BIND, "");
  }
  for (const auto& path : spec.linux_spec.readonly_paths) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) continue;
    do_mount(path, path, nullptr, MS_BIND | MS_REC, "");
    remount_bind(path, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
  }
  if (spec.root_readonly) remount_bind("/", MS_RDONLY);
  if (!spec.linux_spec.rootfs_propagation.empty())
    do_mount("", "/", nullptr, propagation_flags(spec.linux_spec.rootfs_propagation), "");
}

void apply_sysctls(const Spec& spec) {
  for (const auto& [key, value] : spec.linux_spec.sysctl) {
    std::string path = "/proc/sys/";
    for (char c : key) path += c == '.' ? '/' : c;
    if (key.find("..") != std::string::npos) throw_bad_input("invalid sysctl " + key);
    const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) throw_errno("sysctl " + key);
    const ssize_t n = write(fd, value.data(), value.size());
    const int saved = errno;
    close(fd);
    errno = saved;
    if (n < 0) throw_errno("sysctl " + key + "=" + value);
  }
}

}  // namespace vessel::container
