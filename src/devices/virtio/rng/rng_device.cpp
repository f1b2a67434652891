#include "devices/virtio/rng/rng_device.h"

#include <sys/random.h>

#include "devices/virtio/queue_drain.h"

namespace vessel::devices::virtio {

bool RngDevice::process_queue(unsigned q) {
  std::string error;
  return drain_queue((*state_.queues)[q], *state_.ram, *state_.interrupt, counters, error,
                     [&](const Chain& chain) -> std::optional<uint32_t> {
                       ChainWriter out(*state_.ram, chain);
                       uint8_t buf[4096];
                       // Bound the work per request: a guest may post huge buffers.
                       size_t want = std::min<size_t>(out.remaining(), 64 * 1024);
                       while (want > 0) {
                         const ssize_t n = getrandom(buf, std::min(want, sizeof buf), 0);
                         if (n <= 0) break;
                         out.write(buf, static_cast<size_t>(n));
                         want -= static_cast<size_t>(n);
                       }
                       counters.bytes_read += out.written();
                       return static_cast<uint32_t>(out.written());
                     });
}

}  // namespace vessel::devices::virtio
