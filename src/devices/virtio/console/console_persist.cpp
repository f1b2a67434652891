#include "devices/virtio/console/console_device.h"
#include "snapshot/state_stream.h"

namespace vessel::devices::virtio {

void ConsoleDevice::save_state(snapshot::StateWriter& out) {
  std::lock_guard lock(input_mutex_);
  const std::vector<uint8_t> input(input_.begin(), input_.end());
  out.bytes(input.data(), input.size());
}

bool ConsoleDevice::restore_state(snapshot::StateReader& in) {
  const std::vector<uint8_t> input = in.bytes(kInputCapacity);
  if (!in.ok()) return false;
  std::lock_guard lock(input_mutex_);
  input_.assign(input.begin(), input.end());
  if (!input_.empty()) input_ready_.signal();
  return true;
}

}  // namespace vessel::devices::virtio
