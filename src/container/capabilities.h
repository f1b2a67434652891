// Linux capabilities of the container process, through libcap.
#pragma once
#include <string>
#include <vector>

#include "container/oci_spec.h"

namespace vessel::container {

// "CAP_SYS_ADMIN" -> its number, or -1 when libcap does not know the name.
int capability_from_name(const std::string& name);
std::string capability_name(int cap);

// Drops every capability not in `sets.bounding` from the bounding set. Needs CAP_SETPCAP, so it
// runs before the user switch.
void drop_bounding_set(const CapabilitySets& sets);
// Sets effective, permitted, inheritable and ambient sets. Runs after the user switch (which
// keeps capabilities thanks to PR_SET_KEEPCAPS).
void apply_capability_sets(const CapabilitySets& sets);
// The process's current effective set as names (for tests and diagnostics).
std::vector<std::string> current_effective_capabilities();

}  // namespace vessel::container
