#include "container/namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "container/error.h"
#include "container/state_store.h"

namespace vessel::container {

namespace {
void join(const NamespaceSpec& ns) {
  const int fd = open(ns.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_errno(std::string("open ") + namespace_type_name(ns.type) + " namespace " + ns.path);
  if (setns(fd, clone_flag(ns.type)) != 0) {
    const int saved = errno;
    close(fd);
    errno = saved;
    throw_errno(std::string("join ") + namespace_type_name(ns.type) + " namespace " + ns.path);
  }
  close(fd);
}

std::string mapping_text(const std::vector<IdMapping>& maps) {
  std::string text;
  for (const auto& m : maps)
    text += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " + std::to_string(m.size) + "\n";
  return text;
}

void write_proc_file(const std::string& path, const std::string& text) {
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw_errno("open " + path);
  const ssize_t n = write(fd, text.data(), text.size());
  const int saved = errno;
  close(fd);
  errno = saved;
  if (n != static_cast<ssize_t>(text.size())) throw_errno("write " + path);
}
}  // namespace

int clone_flag(NamespaceType type) {
  switch (type) {
    case NamespaceType::Pid: return CLONE_NEWPID;
    case NamespaceType::Network: return CLONE_NEWNET;
    case NamespaceType::Mount: return CLONE_NEWNS;
    case NamespaceType::Ipc: return CLONE_NEWIPC;
    case NamespaceType::Uts: return CLONE_NEWUTS;
    case NamespaceType::User: return CLONE_NEWUSER;
    case NamespaceType::Cgroup: return CLONE_NEWCGROUP;
    case NamespaceType::Time: return CLONE_NEWTIME;
  }
  return 0;
}

const char* proc_ns_name(NamespaceType type) {
  switch (type) {
    case NamespaceType::Pid: return "pid";
    case NamespaceType::Network: return "net";
    case NamespaceType::Mount: return "mnt";
    case NamespaceType::Ipc: return "ipc";
    case NamespaceType::Uts: return "uts";
    case NamespaceType::User: return "user";
    case NamespaceType::Cgroup: return "cgroup";
    case NamespaceType::Time: return "time";
  }
  return "?";
}

int new_namespace_flags(const std::vector<NamespaceSpec>& namespaces) {
  int flags = 0;
  for (const auto& ns : namespaces)
    if (ns.path.empty() && ns.type != NamespaceType::User) flags |= clone_flag(ns.type);
  return flags;
}

void join_namespace_paths(const std::vector<NamespaceSpec>& namespaces, bool skip_pid_and_time) {
  for (const auto& ns : namespaces)
    if (!ns.path.empty() && ns.type == NamespaceType::User) join(ns);
  for (const auto& ns : namespaces) {
    if (ns.path.empty() || ns.type == NamespaceType::User || ns.type == NamespaceType::Mount) continue;
    if (skip_pid_and_time && (ns.type == NamespaceType::Pid || ns.type == NamespaceType::Time)) continue;
    join(ns);
  }
  for (const auto& ns : namespaces)
    if (!ns.path.empty() && ns.type == NamespaceType::Mount) join(ns);
}

int new_namespace_flags_for_init(const std::vector<NamespaceSpec>& namespaces) {
  return new_namespace_flags(namespaces) & ~(CLONE_NEWPID | CLONE_NEWTIME);
}

ChildNamespaces::ChildNamespaces(const std::vector<NamespaceSpec>& namespaces) {
  for (const auto& ns : namespaces) {
    if (ns.type != NamespaceType::Pid && ns.type != NamespaceType::Time) continue;
    const bool pid = ns.type == NamespaceType::Pid;
    int& saved = pid ? saved_pid_ : saved_time_;
    saved = open(pid ? "/proc/self/ns/pid" : "/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
    if (saved < 0) throw_errno("open own namespace");
    if (ns.path.empty()) {
      if (unshare(clone_flag(ns.type)) != 0) throw_errno(std::string("create ") + namespace_type_name(ns.type) + " namespace");
    } else {
      join(ns);
    }
  }
}

void ChildNamespaces::restore() {
  if (saved_pid_ >= 0 && setns(saved_pid_, CLONE_NEWPID) != 0) throw_errno("return to the runtime's pid namespace");
  if (saved_time_ >= 0 && setns(saved_time_, CLONE_NEWTIME) != 0) throw_errno("return to the runtime's time namespace");
  for (int* fd : {&saved_pid_, &saved_time_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

ChildNamespaces::~ChildNamespaces() {
  try {
    restore();
  } catch (const std::exception&) {
    // Only reached when unwinding from another error; that one is reported.
  }
}

void write_id_mappings(pid_t pid, const std::vector<IdMapping>& uids, const std::vector<IdMapping>& gids) {
  const std::string base = "/proc/" + std::to_string(pid);
  write_proc_file(base + "/uid_map", mapping_text(uids));
  write_proc_file(base + "/gid_map", mapping_text(gids));
}

}  // namespace vessel::container
