// virtio-net (virtio 1.2 section 5.1): one rx/tx queue pair in front of a net::NetBackend.
// No offloads and no mergeable rx buffers: every frame travels with the 12-byte header
// VERSION_1 prescribes. Frames from the back end wait in a bounded host-side queue until the
// guest posts rx buffers; when it is full they are dropped and counted, as a wire would.
#pragma once
#include <array>
#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "common/event_loop.h"
#include "common/rate_limiter.h"
#include "devices/virtio/virtio_device.h"
#include "net/net_backend.h"

namespace vessel::devices::virtio {

using MacAddress = std::array<uint8_t, 6>;

struct NetCounters {
  std::atomic<uint64_t> rx_packets{0}, rx_bytes{0}, rx_dropped{0};
  std::atomic<uint64_t> tx_packets{0}, tx_bytes{0}, tx_dropped{0};
};

class NetDevice : public VirtioDevice {
 public:
  static constexpr unsigned kRxQueue = 0, kTxQueue = 1;
  static constexpr size_t kHeaderSize = 12;          // struct virtio_net_hdr with num_buffers
  static constexpr size_t kMaxPendingFrames = 1024;  // host-side rx queue bounds
  static constexpr size_t kMaxPendingBytes = 4u << 20;

  NetDevice(std::unique_ptr<net::NetBackend> backend, MacAddress mac);

  uint32_t device_id() const override { return 1; }
  const char* name() const override { return "net"; }
  uint64_t device_features() const override;
  unsigned num_queues() const override { return 2; }
  void read_config(uint64_t offset, uint8_t* data, unsigned len) override;
  bool activate(const ActiveState& state, std::string& error) override;
  void reset() override;
  bool process_queue(unsigned q) override;
  std::vector<Watch> backend_watches() const override {
    return {{rx_ready_.fd(), kRxQueue}, {rx_limiter_.timer_fd(), kRxQueue, true}, {tx_limiter_.timer_fd(), kTxQueue, true}};
  }
  // Rate limits, each direction on its own (any thread). Frames over the rx limit wait in the
  // host-side queue (and are dropped when it is full, as on a policed wire).
  RateLimiter& rx_limiter() { return rx_limiter_; }
  RateLimiter& tx_limiter() { return tx_limiter_; }

  // A frame from the network (the back end's receiver; tests call it directly). I/O thread.
  void receive(const uint8_t* frame, size_t len);
  size_t pending_rx() const;
  const NetCounters& net_counters() const { return net_counters_; }
  const MacAddress& mac() const { return mac_; }

 private:
  bool process_rx();
  bool process_tx();
  void stop_accepting();

  MacAddress mac_;
  ActiveState state_;
  NetCounters net_counters_;
  std::vector<uint8_t> tx_buffer_;

  mutable std::mutex rx_mutex_;  // the pending frames: filled by the back end, emptied under the transport
  std::deque<std::vector<uint8_t>> rx_pending_;
  size_t rx_pending_bytes_ = 0;
  bool accepting_ = false;  // active with a usable rx queue
  EventFd rx_ready_;        // tells the transport to run process_queue(kRxQueue)
  RateLimiter rx_limiter_, tx_limiter_;

  std::unique_ptr<net::NetBackend> backend_;  // last: destroyed first, it calls receive()
};

}  // namespace vessel::devices::virtio
