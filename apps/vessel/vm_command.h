// `vessel vm ...`: the manager's CLI. Talks to vesseld over its socket (--socket, env
// VESSEL_SOCKET, default /run/vessel/vessel.sock).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "api_call.h"

namespace vessel::cli {

// Interactive console attach (vm_command_console.cpp) to `path` (/v1/vms/NAME/console or
// /v1/containers/NAME/console). Returns the exit status.
int attach_console(const Common& c, const std::string& path, const char* program);

// POST /v1/vms/NAME/migrate with a progress bar on a terminal (migrate_progress.cpp).
std::optional<json> migrate_with_progress(const Common& c, const std::string& name, const json& body);

// Through the VM's guest agent (vm_command_agent.cpp). exec prints the command's output and
// returns its exit status; cp copies between a local path ("-": stdin or stdout) and NAME:PATH.
struct VmExecOptions {
  std::vector<std::string> command, env;
  double timeout_seconds = 60;
  bool stdin_input = false;  // send our stdin to the command
};
int vm_exec(const Common& c, const std::string& name, const VmExecOptions& options);
int vm_cp(const Common& c, const std::string& from, const std::string& to);

}  // namespace vessel::cli
