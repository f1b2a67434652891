// Used only when the tree is built without src/container.
#include <cstdio>

#include "commands.h"

namespace vessel::cli {
int container_command(int, char**) {
  fprintf(stderr, "vessel: this build has no container runtime\n");
  return kExitFailure;
}
}  // namespace vessel::cli
