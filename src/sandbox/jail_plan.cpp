#include "sandbox/jail_plan.h"

namespace vessel::sandbox {

void JailPlan::bind(const std::string& path, bool writable, bool directory) {
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
