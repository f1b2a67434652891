// Asks a Linux guest to power off from the host side. The test guest has no ACPI, no power
// button and no guest agent; what its kernel does accept is the magic SysRq key over the
// serial console (CONFIG_MAGIC_SYSRQ_SERIAL): a break followed by a letter. We send
// s (emergency sync), u (remount read-only), o (power off), so the kernel syncs its file
// systems and powers off through the syscon device. Userspace shutdown scripts do not run.
#pragma once
#include <string>

#include "common/result.h"

namespace vessel::devices {
class Uart16550;
}

namespace vessel::vmm {

// Returns once the three requests are queued and consumed by the guest, or an error if the
// guest does not read its serial port (paused, or not using ttyS0) within a short deadline.
Result<bool> request_guest_poweroff(devices::Uart16550& uart);

}  // namespace vessel::vmm
