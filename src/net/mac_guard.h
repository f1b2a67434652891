// MAC anti-spoofing for a switch port: frames the guest sends with a source address other than
// its NIC's are dropped before they reach the network, so a guest cannot impersonate another
// VM on a shared segment (or poison the switch's MAC table). Wraps any back end.
#pragma once
#include <array>
#include <atomic>
#include <memory>

#include "net/net_backend.h"

namespace vessel::net {

class MacGuard : public NetBackend {
 public:
  MacGuard(std::unique_ptr<NetBackend> inner, const std::array<uint8_t, 6>& mac)
      : inner_(std::move(inner)), mac_(mac) {}

  const char* kind() const override { return inner_->kind(); }
  void set_receiver(Receiver receiver) override { inner_->set_receiver(std::move(receiver)); }
  bool send(const uint8_t* frame, size_t len) override;
  bool takes_large_frames() const override { return inner_->takes_large_frames(); }

  uint64_t spoofed_frames() const { return spoofed_.load(std::memory_order_relaxed); }

 private:
  std::unique_ptr<NetBackend> inner_;
  std::array<uint8_t, 6> mac_;
  std::atomic<uint64_t> spoofed_{0};
};

}  // namespace vessel::net
