// virtio-rng (entropy source): fills the driver's buffers from the host's getrandom().
#pragma once
#include "devices/virtio/virtio_device.h"

namespace vessel::devices::virtio {

class RngDevice : public VirtioDevice {
 public:
  uint32_t device_id() const override { return 4; }
  const char* name() const override { return "rng"; }
  uint64_t device_features() const override { return 0; }
  unsigned num_queues() const override { return 1; }
  void read_config(uint64_t, uint8_t* data, unsigned len) override { config_window(nullptr, 0, 0, data, len); }
  bool activate(const ActiveState& state, std::string&) override {
    state_ = state;
    return true;
  }
  void reset() override { state_ = {}; }
  bool process_queue(unsigned q) override;

 private:
  ActiveState state_;
};

}  // namespace vessel::devices::virtio
