#include "net/mac_guard.h"

#include <cstring>

namespace vessel::net {

bool MacGuard::send(const uint8_t* frame, size_t len) {
  // Ethernet: destination (6 bytes), then source (6 bytes).
  if (len < 12 || memcmp(frame + 6, mac_.data(), mac_.size()) != 0) {
    spoofed_.fetch_add(1, std::memory_order_relaxed);
    return true;  // consumed: to the guest it looks like a frame lost on the wire
  }
  return inner_->send(frame, len);
}

}  // namespace vessel::net
