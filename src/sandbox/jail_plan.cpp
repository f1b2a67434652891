#include "sandbox/jail_plan.h"

#include <filesystem>

namespace vessel::sandbox {

void JailPlan::bind(const std::string& given, bool writable, bool directory) {
  // Compared and mounted in normal form ("/a//b/" is "/a/b").
  std::string path = std::filesystem::path(given).lexically_normal().string();
  if (path.size() > 1 && path.back() == '/') path.pop_back();
  for (Bind& b : binds)
    if (b.path == path) {
      b.writable = b.writable || writable;
      return;
    }
  binds.push_back(Bind{path, writable, directory});
}

void JailPlan::preopen(const std::string& path, bool writable) {
  for (Preopen& p : files)
    if (p.path == path) {
      p.writable = p.writable || writable;
      return;
    }
  files.push_back(Preopen{path, writable});
}

}  // namespace vessel::sandbox
