// The one-line convenience: `run --rootfs DIR [--memory SIZE] [--cpus N] -- CMD...` builds a
// config in memory (default_spec), gives the container a private overlay upper layer over
// DIR (left untouched, so many containers can share it), runs CMD and cleans up.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "container/cli_flags.h"

namespace vessel::container {

class Runtime;

struct QuickRunOptions {
  std::string rootfs;
  std::string id;  // generated when empty
  std::optional<uint64_t> memory_bytes;
  std::optional<double> cpus;
  std::optional<int64_t> pids_limit;
  std::string hostname = "vessel";
  std::vector<std::string> env;
  std::string cwd = "/";
  uint32_t uid = 0, gid = 0;
  bool overlay = true;
  bool host_network = false;
  bool detach = false;
  bool tty = false;  // a pseudo-terminal relayed to the caller's stdio
  std::string pid_file;
  std::vector<std::string> args;
};

// "512", "64k", "64m", "1g" (binary units) -> bytes; throws BadInput otherwise.
uint64_t parse_size(const std::string& text);
const std::vector<FlagSpec>& quick_run_flags();
QuickRunOptions quick_run_options(const ParsedFlags& flags);
nlohmann::json quick_run_config(const QuickRunOptions& options);
int quick_run(Runtime& runtime, const QuickRunOptions& options);

}  // namespace vessel::container
