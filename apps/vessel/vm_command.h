// `vessel vm ...`: the manager's CLI. Talks to vesseld over its socket (--socket, env
// VESSEL_SOCKET, default /run/vessel/vessel.sock).
#pragma once
#include <string>

namespace vessel::cli {

// Interactive console attach (vm_command_console.cpp) to `path` (/v1/vms/NAME/console or
// /v1/containers/NAME/console). Returns the exit status.
int attach_console(const std::string& socket, const std::string& path, const char* program);

}  // namespace vessel::cli
