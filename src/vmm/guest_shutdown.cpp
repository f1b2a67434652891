#include "vmm/guest_shutdown.h"

#include <chrono>
#include <thread>

#include "devices/uart16550.h"

namespace vessel::vmm {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kDeadline = std::chrono::seconds(2);

// Polls until the guest has drained its receive FIFO (the driver reads it on interrupt).
bool wait_drained(devices::Uart16550& uart, Clock::time_point deadline) {
  while (uart.rx_space() != devices::Uart16550::kRxCapacity) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace

Result<bool> request_guest_poweroff(devices::Uart16550& uart) {
  const auto deadline = Clock::now() + kDeadline;
  for (const char key : {'s', 'u', 'o'}) {
    if (!wait_drained(uart, deadline)) return Error{"the guest is not reading its serial console"};
    if (!uart.receive_break()) return Error{"the serial console is busy"};
    const uint8_t k = static_cast<uint8_t>(key);
    if (uart.receive(&k, 1) != 1) return Error{"the serial console is busy"};
  }
  if (!wait_drained(uart, deadline)) return Error{"the guest is not reading its serial console"};
  return true;
}

}  // namespace vessel::vmm
