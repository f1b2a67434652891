// Function 00:00.0, the host bridge itself, as QEMU's gpex presents it: Red Hat's vendor ID
// 0x1b36, device 0x0008, class "host bridge". No BARs, no interrupt.
#pragma once
#include "devices/pci/pci_function.h"

namespace vessel::devices::pci {

class HostBridge : public PciFunction {
 public:
  HostBridge() : config_(PciIdentity{0x1b36, 0x0008, 0, 0x060000, 0x1af4, 0x1100}) {}
  ConfigSpace& config() override { return config_; }
  const char* name() const override { return "host-bridge"; }

 private:
  ConfigSpace config_;
};

}  // namespace vessel::devices::pci
