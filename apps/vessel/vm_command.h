// `vessel vm ...`: the manager's CLI. Talks to vesseld over its socket (--socket, env
// VESSEL_SOCKET, default /run/vessel/vessel.sock).
#pragma once
#include <optional>
#include <string>

#include "api_call.h"

namespace vessel::cli {

// Interactive console attach (vm_command_console.cpp) to `path` (/v1/vms/NAME/console or
// /v1/containers/NAME/console). Returns the exit status.
int attach_console(const Common& c, const std::string& path, const char* program);

// POST /v1/vms/NAME/migrate with a progress bar on a terminal (migrate_progress.cpp).
std::optional<json> migrate_with_progress(const Common& c, const std::string& name, const json& body);

}  // namespace vessel::cli
