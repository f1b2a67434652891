#include "machine/standard_firmware.h"

#include <unistd.h>

namespace vessel::machine {
namespace {

constexpr const char* kOpenSbi = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin";
constexpr const char* kUbootSmode = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin";

bool readable(const char* path) { return access(path, R_OK) == 0; }

}  // namespace

const char* standard_firmware_names() { return "uboot"; }

Result<FirmwareFiles> standard_firmware(const std::string& name) {
  if (name != "uboot")
    return Error{"unknown firmware '" + name + "' (known: " + standard_firmware_names() + ")"};
  if (!readable(kOpenSbi)) return Error{std::string("OpenSBI is not installed (") + kOpenSbi + "): apt install opensbi"};
  if (!readable(kUbootSmode))
    return Error{std::string("U-Boot for QEMU is not installed (") + kUbootSmode + "): apt install u-boot-qemu"};
  return FirmwareFiles{kOpenSbi, kUbootSmode};
}

}  // namespace vessel::machine
