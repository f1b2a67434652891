// Sub-commands of the `vessel` CLI. Each returns the process exit status.
#pragma once

namespace vessel::cli {

// Exit statuses shared by all commands.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;    // the guest or the operation reported failure
constexpr int kExitUsage = 2;      // bad input: options, files, sizes
constexpr int kExitTimeout = 3;    // --max-instructions (or another limit) reached
constexpr int kExitReboot = 4;     // the guest rebooted under --no-reboot
constexpr int kExitMigrated = 5;   // the VM migrated live to another VMM and runs there

int run_command(int argc, char** argv);
int container_command(int argc, char** argv);
int img_command(int argc, char** argv);
int vm_command(int argc, char** argv);
int ct_command(int argc, char** argv);
int image_command(int argc, char** argv);
int ls_command(int argc, char** argv);
int net_command(int argc, char** argv);
int cluster_command(int argc, char** argv);
int cert_command(int argc, char** argv);

}  // namespace vessel::cli
