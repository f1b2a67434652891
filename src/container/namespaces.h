// Namespace types as clone flags and /proc/<pid>/ns names; joining namespaces by path.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include "container/oci_spec.h"

namespace vessel::container {

int clone_flag(NamespaceType type);
const char* proc_ns_name(NamespaceType type);  // "net", "mnt", "pid", ...

// Flags of the namespaces to create (those without a path), excluding the user namespace.
int new_namespace_flags(const std::vector<NamespaceSpec>& namespaces);

// Joins every namespace given by path. The user namespace is joined first, the mount
// namespace last, so the other joins still see the runtime's /proc.
// With `skip_pid_and_time`, pid and time paths are left to ChildNamespaces.
void join_namespace_paths(const std::vector<NamespaceSpec>& namespaces, bool skip_pid_and_time = false);

// Flags of the new namespaces a freshly forked init unshares itself: everything except user,
// pid and time (pid and time apply to children only, so the runtime prepares them).
int new_namespace_flags_for_init(const std::vector<NamespaceSpec>& namespaces);

// Points the runtime's pid (and time) namespace "for children" at the container's, new or
// joined, so its next fork becomes the container's init; restore() undoes it for the runtime.
class ChildNamespaces {
 public:
  explicit ChildNamespaces(const std::vector<NamespaceSpec>& namespaces);
  ~ChildNamespaces();
  ChildNamespaces(const ChildNamespaces&) = delete;
  ChildNamespaces& operator=(const ChildNamespaces&) = delete;
  void restore();

 private:
  int saved_pid_ = -1;
  int saved_time_ = -1;
};

// Writes /proc/<pid>/uid_map and gid_map for a process that has just unshared a user namespace.
void write_id_mappings(pid_t pid, const std::vector<IdMapping>& uids, const std::vector<IdMapping>& gids);

}  // namespace vessel::container
