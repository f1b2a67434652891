// `vessel vm ...`: the manager's CLI. Talks to vesseld over its socket (--socket, env
// VESSEL_SOCKET, default /run/vessel/vessel.sock).
#pragma once
#include <string>

namespace vessel::cli {

// Interactive console attach (vm_command_console.cpp). Returns the exit status.
int vm_console(const std::string& socket, const std::string& name);

}  // namespace vessel::cli
