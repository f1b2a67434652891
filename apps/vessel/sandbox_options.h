// `vessel run --sandbox ...` (and vessel-vmm under vesseld): the jail's options and the step
// that enters it before the VMM starts any thread.
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "vmm/virtual_machine.h"

namespace vessel::cli {

struct SandboxOptions {
  bool enabled = false;
  long uid = -1, gid = -1;  // -1: from the pid, in 200000-265535
  std::string root = "/run/vessel/jail";
  std::vector<std::string> binds;  // PATH or PATH:rw
  uint64_t max_files = 1024;
  std::string memory_limit;  // RLIMIT_AS, e.g. 8G; empty: guest memory x2 + 8 GiB
  std::string cgroup;  // created and joined; memory limit: guest memory + 1 GiB
};

void add_sandbox_options(CLI::App& app, SandboxOptions& options);

// Makes the configuration's paths absolute, then jails the process (the keeper never
// returns from here) and loads the syscall filters. Returns an exit status on failure.
int enter_sandbox(const SandboxOptions& options, vmm::VmConfig& config, std::vector<std::string> socket_paths);

}  // namespace vessel::cli
