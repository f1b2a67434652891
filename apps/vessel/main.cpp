// `vessel`: one binary, dispatching to sub-commands.
#include <cstdio>
#include <cstring>
#include <string_view>

#include "commands.h"

namespace {

struct Command {
  std::string_view name;
  int (*entry)(int, char**);
  std::string_view summary;
};

constexpr Command kCommands[] = {
    {"run", vessel::cli::run_command, "run a virtual machine (bare-metal ELF or Linux kernel)"},
    {"img", vessel::cli::img_command, "disk images: create, info, convert, check (raw, qcow2)"},
    {"vm", vessel::cli::vm_command, "virtual machines managed by vesseld (create, start, ls, console, ...)"},
    {"ct", vessel::cli::ct_command, "containers managed by vesseld (create, start, exec, logs, console, ...)"},
    {"image", vessel::cli::image_command, "container images for vesseld: import (OCI layout, docker save), ls, rm"},
    {"net", vessel::cli::net_command, "named networks for vesseld: a switch VMs share, with optional NAT (create, ls, rm)"},
    {"ls", vessel::cli::ls_command, "every VM and container vesseld manages"},
    {"cluster", vessel::cli::cluster_command, "the cluster CA for mutual TLS: init (CA and this host's certificates)"},
    {"cert", vessel::cli::cert_command, "certificates signed by the cluster CA: issue (admin, read-only, host)"},
    {"container", vessel::cli::container_command, "the OCI runtime itself (create, start, run, state, kill, delete, ...)"},
};

void usage(FILE* out) {
  fprintf(out, "usage: vessel <command> [options]\n\ncommands:\n");
  for (const auto& c : kCommands)
    fprintf(out, "  %-10.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(), static_cast<int>(c.summary.size()),
            c.summary.data());
  fprintf(out, "\n`vessel <command> --help` describes each command.\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return vessel::cli::kExitUsage;
  }
  const std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    usage(stdout);
    return vessel::cli::kExitOk;
  }
  for (const auto& c : kCommands)
    if (c.name == name) return c.entry(argc - 1, argv + 1);
  fprintf(stderr, "vessel: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return vessel::cli::kExitUsage;
}
