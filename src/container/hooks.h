// Lifecycle hooks: each hook runs with the container's state JSON on stdin; a non-zero exit
// or a timeout is an error.
#pragma once
#include <string>
#include <vector>

#include "container/oci_spec.h"

namespace vessel::container {

// Runs `hooks` in order; throws a System error naming `phase` on the first failure.
void run_hooks(const std::vector<HookSpec>& hooks, const std::string& state_json, const char* phase);

}  // namespace vessel::container
