// Register access to every device of the board in one address space, as a guest's loads and
// stores reach them: the test device, goldfish RTC, CLINT, PLIC, NS16550A UART, a virtio-mmio
// slot (with an entropy device behind it) and the PCIe configuration window. Host-side events
// interleave with the accesses: console input, a break, device interrupt lines.
// Input: GuestOps (fuzz/support/guest_ops.h); windows in the order of kWindows; the backend op's
// payload is u8 event, then its bytes (see host_event).
#include <cstdint>

#include "devices/virtio/rng/rng_device.h"
#include "fuzz/support/fuzz_board.h"
#include "fuzz/support/guest_ops.h"
#include "machine/memory_map.h"

namespace vessel::fuzz {
namespace {

namespace map = machine::map;

std::vector<DeviceWindow> device_windows() {
  return {{map::kTest.base, map::kTest.size},   {map::kRtc.base, map::kRtc.size},
          {map::kClint.base, map::kClint.size}, {map::kPlic.base, map::kPlic.size},
          {map::kUart0.base, map::kUart0.size}, {map::kVirtio.base, map::kVirtio.size},
          {map::kPcieEcam.base, 1 << 20}};  // bus 0
}

enum HostEvent : uint8_t { kConsoleInput, kConsoleBreak, kConsoleTake, kIrqLine, kEventCount };

void host_event(machine::Board& board, const std::vector<uint8_t>& payload) {
  if (payload.empty()) return;
  switch (payload[0] % kEventCount) {
    case kConsoleInput: board.uart->receive(payload.data() + 1, payload.size() - 1); break;
    case kConsoleBreak: board.uart->receive_break(); break;
    case kConsoleTake: board.uart->take_byte(); break;
    case kIrqLine:
      if (payload.size() >= 3) board.plic->set_irq(payload[1] % devices::Plic::kSources, payload[2] & 1);
      break;
  }
}

}  // namespace
}  // namespace vessel::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vessel::fuzz;
  FuzzInput in(data, size);
  auto board = make_fuzz_board(2);
  board->test->on_request = [](auto, int) {};
  if (!board->add_virtio(std::make_unique<vessel::devices::virtio::RngDevice>())) abort();
  GuestOps ops(board->as, &board->io, device_windows(),
               [&board](const std::vector<uint8_t>& payload) { host_event(*board, payload); });
  ops.play(in);
  return 0;
}
