// The host side of a virtual NIC (ARCHITECTURE.md example 8): Ethernet frames go out with
// send() and come back through the receiver. Back ends run on the VM's I/O thread: they watch
// their own fds on the EventLoop, and send() is only called there.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>

namespace vessel::net {

// Largest frame either side accepts: 64 KiB of payload plus an Ethernet header and VLAN tag.
constexpr size_t kMaxFrame = 65550;

class NetBackend {
 public:
  using Receiver = std::function<void(const uint8_t* frame, size_t len)>;
  virtual ~NetBackend() = default;
  virtual const char* kind() const = 0;
  // Where frames from the network go (called on the I/O thread). Set before the loop runs.
  virtual void set_receiver(Receiver receiver) = 0;
  // Hands one frame to the network; false if it was dropped (e.g. the host side is full).
  virtual bool send(const uint8_t* frame, size_t len) = 0;
  // Whether frames larger than the link MTU are fine (then the NIC can offer TCP segmentation
  // offload and hand over whole 64 KiB segments).
  virtual bool takes_large_frames() const { return false; }
};

}  // namespace vessel::net
