// Entry point for tools that drive an OCI runtime the way they drive runc.
#include <string>
#include <vector>

#include "container/runtime_cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return vessel::container::run_runtime_cli(args, "vessel-runc");
}
