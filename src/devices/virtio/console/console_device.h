// virtio-console with a single port (no MULTIPORT): `console=hvc0` gives the guest a
// para-virtualized console. Output goes to the host console; input is buffered here until
// the guest posts receive buffers.
#pragma once
#include <deque>
#include <functional>
#include <mutex>

#include "common/event_loop.h"
#include "devices/virtio/virtio_device.h"

namespace vessel::devices::virtio {

class ConsoleDevice : public VirtioDevice {
 public:
  using Output = std::function<void(const uint8_t*, size_t)>;
  static constexpr size_t kInputCapacity = 64 * 1024;

  explicit ConsoleDevice(Output output) : output_(std::move(output)) {}

  uint32_t device_id() const override { return 3; }
  const char* name() const override { return "console"; }
  uint64_t device_features() const override { return 1; }  // VIRTIO_CONSOLE_F_SIZE
  unsigned num_queues() const override { return 2; }        // receiveq0, transmitq0
  void read_config(uint64_t offset, uint8_t* data, unsigned len) override;
  bool activate(const ActiveState& state, std::string&) override;
  void reset() override;
  bool process_queue(unsigned q) override;
  std::vector<Watch> backend_watches() const override { return {{input_ready_.fd(), kReceiveQueue}}; }

  // From the host console thread: returns how many bytes were taken.
  size_t receive(const uint8_t* data, size_t len);
  // Snapshot: input typed but not yet delivered to the guest (console_persist.cpp).
  void save_state(snapshot::StateWriter& out) override;
  bool restore_state(snapshot::StateReader& in) override;

 private:
  static constexpr unsigned kReceiveQueue = 0, kTransmitQueue = 1;
  Output output_;
  ActiveState state_;
  EventFd input_ready_;
  std::mutex input_mutex_;
  std::deque<uint8_t> input_;
};

}  // namespace vessel::devices::virtio
