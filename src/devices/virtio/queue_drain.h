// The loop every device runs on a notified queue: take each available chain, let the
// device handle it, return it, and interrupt the driver if it asked to be.
#pragma once
#include <optional>

#include "devices/virtio/virtio_device.h"

namespace vessel::devices::virtio {

// `handle(chain)` returns the bytes written into the chain, or nullopt to stop (the chain
// is put back, e.g. an rx queue with nothing to deliver). Returns false if the queue is broken.
template <typename Handler>
bool drain_queue(Virtqueue& vq, const memory::GuestRam& ram, Interrupt& irq, DeviceCounters& counters,
                 std::string& error, Handler&& handle) {
  Chain chain;
  bool broken = false;
  for (;;) {
    const Virtqueue::Pop r = vq.pop(ram, chain, error);
    if (r == Virtqueue::Pop::Broken) {
      broken = true;
      break;
    }
    if (r == Virtqueue::Pop::Empty) {
      // Publish our position, then look again: the driver may have added a chain in between.
      vq.update_avail_event(ram);
      if (vq.pop(ram, chain, error) != Virtqueue::Pop::Chain) break;
    }
    const std::optional<uint32_t> written = handle(chain);
    if (!written) {
      vq.undo_pop();
      break;
    }
    ++counters.requests;
    vq.push(ram, chain.head, *written);
  }
  if (vq.needs_interrupt(ram)) irq.used_buffer();
  if (broken) ++counters.guest_errors;
  return !broken;
}

}  // namespace vessel::devices::virtio
