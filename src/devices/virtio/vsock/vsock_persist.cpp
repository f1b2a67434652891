#include "devices/virtio/vsock/vsock_device.h"
#include "snapshot/state_stream.h"

namespace vessel::devices::virtio {

void VsockDevice::save_state(snapshot::StateWriter& out) { out.u64(muxer_->guest_cid()); }

bool VsockDevice::restore_state(snapshot::StateReader& in) {
  // The CID comes from the VM's configuration; a snapshot taken with another one is refused.
  const uint64_t cid = in.u64();
  if (in.ok() && cid != muxer_->guest_cid())
    in.fail("snapshot has vsock CID " + std::to_string(cid) + ", this VM " + std::to_string(muxer_->guest_cid()));
  if (!in.ok()) return false;
  // Host sockets did not survive: tell the driver to drop every connection (virtio 1.2 5.10.6.7).
  muxer_->stop();
  // Restore runs after activate() for a live driver, whose sockets must hear of the reset;
  // a driver that was not up yet has no connections to lose.
  if (state_.queues) muxer_->start();
  reset_event_pending_ = state_.queues != nullptr;
  return true;
}

}  // namespace vessel::devices::virtio
