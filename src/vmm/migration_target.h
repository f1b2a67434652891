// The destination side of a live migration (`vessel run --incoming`): what the command line
// says about the machine, which the incoming configuration must match.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "cpu/riscv/isa_profile.h"
#include "vmm/device_spec.h"

namespace vessel::vmm {

struct IncomingOptions {
  std::string from;    // tcp:HOST:PORT or unix:PATH
  int stop_fd = -1;    // readable: stop waiting (a signal arrived)
  int accept_timeout_ms = -1;  // < 0: wait for the source for ever
  // Machine options given on this side's command line; each must match the source's VM.
  std::optional<uint64_t> memory_bytes;
  std::optional<unsigned> cpus;
  std::optional<riscv::CpuProfile> cpu;
  std::optional<std::vector<std::string>> drive_files;
  std::optional<size_t> nets;
  // --migrate-disks-to DIR: the source copies its disks (disk_copy_target.h) into new images here.
  std::string disks_dir;
};

}  // namespace vessel::vmm
