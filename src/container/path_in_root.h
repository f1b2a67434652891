// Resolving container paths under the root filesystem on the host side, before pivot_root.
// Symlinks are followed as if `root` were "/", so a link in an image cannot make the runtime
// mount or create something outside the container's root.
#pragma once
#include <string>

namespace vessel::container {

// The host path of `path` (absolute inside the container) under `root`, following symlinks
// inside `root`. Missing components are kept as they are.
std::string resolve_in_root(const std::string& root, const std::string& path);

// Makes sure `host_path` exists, as a directory or (when `as_file`) an empty file, creating
// parents as needed. Returns false (errno set) on failure.
bool ensure_mountpoint(const std::string& host_path, bool as_file);

}  // namespace vessel::container
