#include "devices/virtio/vsock/vsock_device.h"

#include "common/log.h"
#include "devices/virtio/queue_drain.h"

namespace vessel::devices::virtio {

using vsock::Header;

void VsockDevice::read_config(uint64_t offset, uint8_t* data, unsigned len) {
  const uint64_t cid = muxer_->guest_cid();  // struct virtio_vsock_config { le64 guest_cid; }
  config_window(&cid, sizeof cid, offset, data, len);
}

bool VsockDevice::activate(const ActiveState& state, std::string& error) {
  if (!(*state.queues)[kRxQueue].ready || !(*state.queues)[kTxQueue].ready) {
    error = "vsock needs its rx and tx queues";
    return false;
  }
  state_ = state;
  muxer_->start();
  return true;
}

void VsockDevice::stop() { muxer_->stop(); }

void VsockDevice::reset() {
  stop();
  state_ = {};
}

bool VsockDevice::process_queue(unsigned) {
  // Whichever queue or socket woke us, do all the work there is: guest packets may free rx
  // space for replies, and replies sent may unblock tx (see Muxer::backlog_full).
  // After a restore the transport reset goes first, before any packet: the guest must drop
  // its old connections before it sees a new request.
  bool ok = true;
  if (reset_event_pending_ && (*state_.queues)[kEventQueue].ready) ok = send_reset_event();
  muxer_->poll_host();
  for (int round = 0; round < 4 && ok; ++round) {
    ok = process_tx();
    muxer_->flush_host();
    ok = ok && process_rx();
    if (!muxer_->backlog_full()) break;
  }
  if (ok && reset_event_pending_ && (*state_.queues)[kEventQueue].ready) ok = send_reset_event();  // no buffer before
  // Protocol errors the muxer saw (bad source CID, credit overruns) count like ring errors.
  counters.guest_errors += muxer_->counters().guest_errors - muxer_errors_seen_;
  muxer_errors_seen_ = muxer_->counters().guest_errors;
  // A broken queue leaves the device needing a reset: drop every connection now, so host
  // sockets stop waking the I/O thread for a device that will not run.
  if (!ok) stop();
  return ok;
}

bool VsockDevice::process_tx() {
  const memory::GuestRam& ram = *state_.ram;
  std::string error;
  const bool ok = drain_queue((*state_.queues)[kTxQueue], ram, *state_.interrupt, counters, error,
                              [&](const Chain& chain) -> std::optional<uint32_t> {
                                if (muxer_->backlog_full()) return std::nullopt;  // rx must drain first
                                ChainReader in(ram, chain);
                                Header hdr;
                                if (in.read(&hdr, sizeof hdr) != sizeof hdr) {
                                  ++counters.guest_errors;  // too short for a header: dropped
                                  return 0u;
                                }
                                if (hdr.op == vsock::kOpRw ? hdr.len > vsock::kMaxPayload || hdr.len > in.remaining()
                                                           : hdr.len != 0) {
                                  ++counters.guest_errors;  // a length the buffers do not back
                                  hdr.op = vsock::kOpInvalid;  // the muxer resets the connection
                                  hdr.len = 0;
                                  muxer_->handle_guest(hdr, nullptr);
                                  return 0u;
                                }
                                in.read(scratch_.data(), hdr.len);
                                counters.bytes_written += hdr.len;
                                muxer_->handle_guest(hdr, scratch_.data());
                                return 0u;
                              });
  if (!ok) LOG_WARN("virtio-vsock tx: %s", error.c_str());
  return ok;
}

bool VsockDevice::process_rx() {
  const memory::GuestRam& ram = *state_.ram;
  std::string error;
  const bool ok = drain_queue((*state_.queues)[kRxQueue], ram, *state_.interrupt, counters, error,
                              [&](const Chain& chain) -> std::optional<uint32_t> {
                                const uint64_t room = chain.writable_bytes();
                                if (room < sizeof(Header)) {
                                  ++counters.guest_errors;  // cannot hold a header: returned empty
                                  return 0u;
                                }
                                Header hdr;
                                const size_t cap = std::min<uint64_t>(room - sizeof hdr, scratch_.size());
                                if (!muxer_->next_packet(hdr, scratch_.data(), cap)) return std::nullopt;
                                ChainWriter out(ram, chain);
                                out.write(&hdr, sizeof hdr);
                                out.write(scratch_.data(), hdr.len);
                                counters.bytes_read += hdr.len;
                                return static_cast<uint32_t>(out.written());
                              });
  if (!ok) LOG_WARN("virtio-vsock rx: %s", error.c_str());
  return ok;
}

bool VsockDevice::send_reset_event() {
  const memory::GuestRam& ram = *state_.ram;
  std::string error;
  const bool ok = drain_queue((*state_.queues)[kEventQueue], ram, *state_.interrupt, counters, error,
                              [&](const Chain& chain) -> std::optional<uint32_t> {
                                if (!reset_event_pending_) return std::nullopt;
                                const uint32_t transport_reset = 0;  // VIRTIO_VSOCK_EVENT_TRANSPORT_RESET
                                ChainWriter out(ram, chain);
                                if (out.write(&transport_reset, sizeof transport_reset) != sizeof transport_reset)
                                  ++counters.guest_errors;
                                reset_event_pending_ = false;
                                return static_cast<uint32_t>(out.written());
                              });
  if (!ok) LOG_WARN("virtio-vsock event: %s", error.c_str());
  return ok;
}

}  // namespace vessel::devices::virtio
