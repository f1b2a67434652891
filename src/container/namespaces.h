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
void join_namespace_paths(const std::vector<NamespaceSpec>& namespaces);

// Writes /proc/<pid>/uid_map and gid_map for a process that has just unshared a user namespace.
void write_id_mappings(pid_t pid, const std::vector<IdMapping>& uids, const std::vector<IdMapping>& gids);

}  // namespace vessel::container
