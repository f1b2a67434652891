// The runc-compatible command line shared by `vessel container ...` and `vessel-runc`:
//   [--root DIR] [--log FILE] [--log-format text|json] [--systemd-cgroup] [--debug]
//   create|start|run|state|kill|delete|exec|ps|list|events|pause|resume|spec|features ...
// plus `run --rootfs DIR [--memory SIZE] [--cpus N] -- CMD...`.
#pragma once
#include <string>
#include <vector>

namespace vessel::container {

constexpr int kCliExitOk = 0;
constexpr int kCliExitFailure = 1;  // the operation failed (also: not found, wrong state)
constexpr int kCliExitUsage = 2;    // bad input: options, bundle, config.json

// `args` excludes the program name; `program` prefixes error messages.
int run_runtime_cli(const std::vector<std::string>& args, const std::string& program);

}  // namespace vessel::container
