// virtio-vsock (virtio 1.2 section 5.10, device id 19): rx, tx and event queues in front of
// a Muxer that maps guest streams onto host Unix sockets (Firecracker's convention, see
// vsock_muxer.h). Everything runs on the VM's I/O thread under the transport's lock: the
// muxer's epoll descriptor is a back-end watch, so host socket readiness runs process_queue
// like a guest notification does.
#pragma once
#include <memory>
#include <vector>

#include "devices/virtio/virtio_device.h"
#include "devices/virtio/vsock/vsock_muxer.h"

namespace vessel::devices::virtio {

class VsockDevice : public VirtioDevice {
 public:
  static constexpr unsigned kRxQueue = 0, kTxQueue = 1, kEventQueue = 2;

  explicit VsockDevice(std::unique_ptr<vsock::Muxer> muxer) : muxer_(std::move(muxer)) {}

  uint32_t device_id() const override { return 19; }
  const char* name() const override { return "vsock"; }
  uint64_t device_features() const override { return 0; }  // stream sockets only (no SEQPACKET)
  unsigned num_queues() const override { return 3; }
  void read_config(uint64_t offset, uint8_t* data, unsigned len) override;
  bool activate(const ActiveState& state, std::string& error) override;
  void reset() override;
  bool process_queue(unsigned q) override;
  std::vector<Watch> backend_watches() const override { return {{muxer_->epoll_fd(), kRxQueue}}; }
  // Snapshot (vsock_persist.cpp): only the CID. Connections do not survive a restore: the
  // guest is told with a TRANSPORT_RESET event and its sockets see ECONNRESET.
  void save_state(snapshot::StateWriter& out) override;
  bool restore_state(snapshot::StateReader& in) override;

  uint64_t guest_cid() const { return muxer_->guest_cid(); }
  const vsock::Muxer& muxer() const { return *muxer_; }

 private:
  bool process_tx();
  bool process_rx();
  bool send_reset_event();
  void stop();

  ActiveState state_;
  std::unique_ptr<vsock::Muxer> muxer_;
  std::vector<uint8_t> scratch_ = std::vector<uint8_t>(vsock::kMaxPayload);
  bool reset_event_pending_ = false;  // after a restore, until the event queue takes it
  uint64_t muxer_errors_seen_ = 0;    // the muxer's guest errors already added to `counters`
};

}  // namespace vessel::devices::virtio
