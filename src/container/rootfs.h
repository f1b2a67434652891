// The container's filesystem view, built inside its new mount namespace: the root (a
// directory, or an overlay of a per-container upper layer on a shared read-only base), the
// config's mounts, /dev, pivot_root, then masked and read-only paths.
#pragma once
#include <string>

#include "container/cgroup_hierarchy.h"
#include "container/oci_spec.h"

namespace vessel::container {

struct RootfsPlan {
  const Spec* spec = nullptr;
  std::string bundle;
  std::string rootfs;        // becomes "/" (the overlay's merged directory when overlay is set)
  bool overlay = false;
  std::string overlay_base;  // lower layer, shared and never written
  std::string overlay_upper, overlay_work;
  const CgroupLayout* cgroups = nullptr;
  std::string cgroup_path;   // the container's cgroup, for the /sys/fs/cgroup mount
  bool in_user_namespace = false;
  // Without one (a config that lists no mount namespace) the mounts are made in the runtime's
  // namespace, as runc makes them, and the root is entered with chroot instead of pivot_root.
  bool own_mount_namespace = true;
};

// Everything before pivot_root. Runs in the container's (new) mount namespace.
void prepare_rootfs(const RootfsPlan& plan);
// pivot_root into plan.rootfs and detach the old root; chroot without a mount namespace.
void enter_root(const RootfsPlan& plan);
// Detaches every mount at or below `path`, deepest first: what a container without a mount
// namespace of its own left in the runtime's.
void detach_mounts_under(const std::string& path);
// After pivot_root: masked paths, read-only paths, read-only root, root propagation.
void finish_rootfs(const Spec& spec);
// Writes linux.sysctl values under /proc/sys (after pivot_root, so the container's /proc).
void apply_sysctls(const Spec& spec);

}  // namespace vessel::container
