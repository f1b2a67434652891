// `vessel container ...`: the OCI runtime (see src/container/runtime_cli.h for the commands).
#include <string>
#include <vector>

#include "commands.h"
#include "container/runtime_cli.h"

namespace vessel::cli {

static_assert(container::kCliExitUsage == kExitUsage && container::kCliExitFailure == kExitFailure,
              "the container CLI shares the vessel exit statuses");

int container_command(int argc, char** argv) {
  // argv[0] is "container"; everything after it follows the runc command-line conventions.
  std::vector<std::string> args(argv + 1, argv + argc);
  return container::run_runtime_cli(args, "vessel container");
}

}  // namespace vessel::cli
