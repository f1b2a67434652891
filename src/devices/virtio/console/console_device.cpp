#include "devices/virtio/console/console_device.h"

#include <vector>

#include "devices/virtio/queue_drain.h"

namespace vessel::devices::virtio {

void ConsoleDevice::read_config(uint64_t offset, uint8_t* data, unsigned len) {
  struct {
    uint16_t cols, rows;
    uint32_t max_nr_ports, emerg_wr;
  } c{80, 25, 1, 0};
  config_window(&c, sizeof c, offset, data, len);
}

bool ConsoleDevice::activate(const ActiveState& state, std::string&) {
  state_ = state;
  return true;
}

void ConsoleDevice::reset() { state_ = {}; }

size_t ConsoleDevice::receive(const uint8_t* data, size_t len) {
  size_t n = 0;
  {
    std::lock_guard lock(input_mutex_);
    while (n < len && input_.size() < kInputCapacity) input_.push_back(data[n++]);
  }
  if (n) input_ready_.signal();
  return n;
}

bool ConsoleDevice::process_queue(unsigned q) {
  std::string error;
  const memory::GuestRam& ram = *state_.ram;
  if (q == kTransmitQueue) {
    return drain_queue((*state_.queues)[q], ram, *state_.interrupt, counters, error,
                       [&](const Chain& chain) -> std::optional<uint32_t> {
                         ChainReader in(ram, chain);
                         std::vector<uint8_t> buf(std::min<size_t>(in.remaining(), 1 << 20));
                         buf.resize(in.read(buf.data(), buf.size()));
                         output_(buf.data(), buf.size());
                         counters.bytes_written += buf.size();
                         return 0u;
                       });
  }
  input_ready_.drain();
  return drain_queue((*state_.queues)[q], ram, *state_.interrupt, counters, error,
                     [&](const Chain& chain) -> std::optional<uint32_t> {
                       std::lock_guard lock(input_mutex_);
                       if (input_.empty()) return std::nullopt;  // keep the buffer for later input
                       ChainWriter out(ram, chain);
                       std::vector<uint8_t> buf;
                       while (!input_.empty() && buf.size() < out.remaining()) {
                         buf.push_back(input_.front());
                         input_.pop_front();
                       }
                       out.write(buf.data(), buf.size());
                       counters.bytes_read += buf.size();
                       return static_cast<uint32_t>(buf.size());
                     });
}

}  // namespace vessel::devices::virtio
