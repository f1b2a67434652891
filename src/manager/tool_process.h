// Runs a helper program (vessel-runc) to completion from the multi-threaded daemon: stdout and
// stderr captured (or given descriptors), a deadline after which it is killed.
#pragma once
#include <chrono>
#include <string>
#include <vector>

#include "common/result.h"

namespace vessel::manager {

struct ToolRun {
  int status = -1;  // exit status; 128 + N when killed by signal N
  bool timed_out = false;
  std::string out, err;  // at most max_output bytes each
};

struct ToolIo {
  int stdin_fd = -1;   // default /dev/null
  int stdout_fd = -1;  // default: captured into ToolRun::out
  int stderr_fd = -1;  // default: captured into ToolRun::err
  size_t max_output = 1 << 20;
};

Result<ToolRun> run_tool(const std::string& binary, const std::vector<std::string>& args, std::chrono::milliseconds timeout,
                         const ToolIo& io = {});

}  // namespace vessel::manager
