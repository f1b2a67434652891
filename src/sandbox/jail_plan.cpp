#include "sandbox/jail_plan.h"

#include <filesystem>

namespace vessel::sandbox {
namespace {

// Compared and mounted in normal form ("/a//b/" is "/a/b").
std::string normal_form(const std::string& given) {
  std::string path = std::filesystem::path(given).lexically_normal().string();
  if (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

void JailPlan::bind(const std::string& given, bool writable, bool directory) {
  const std::string path = normal_form(given);
  for (Bind& b : binds)
    if (b.path == path) {
      b.writable = b.writable || writable;
      return;
    }
  binds.push_back(Bind{path, writable, directory});
}

void JailPlan::bind_share(const std::string& given, bool writable) {
  bind(given, writable, true);
  const std::string path = normal_form(given);
  for (Bind& b : binds)
    if (b.path == path) b.guest_share = true;
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
