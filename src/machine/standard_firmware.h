// Firmware that Debian ships for QEMU's virt board, found by name so that `vessel run
// --firmware uboot` boots a disk image the way `qemu-system-riscv64 -bios default -kernel
// u-boot.bin` does: OpenSBI in M-mode, then U-Boot's S-mode build, which reads the disk.
#pragma once
#include <string>

#include "common/result.h"

namespace vessel::machine {

struct FirmwareFiles {
  std::string bios;    // runs in M-mode at the DRAM base (OpenSBI fw_dynamic.bin)
  std::string kernel;  // the next stage, loaded where a kernel goes (U-Boot qemu-riscv64_smode)
};

// The names --firmware accepts, for help texts and errors.
const char* standard_firmware_names();
// `name` -> the installed files; an error naming the missing Debian package otherwise.
Result<FirmwareFiles> standard_firmware(const std::string& name);

}  // namespace vessel::machine
