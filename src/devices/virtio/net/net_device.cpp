#include "devices/virtio/net/net_device.h"

#include <cstring>

#include "common/log.h"
#include "devices/virtio/net/offload.h"
#include "devices/virtio/queue_drain.h"

namespace vessel::devices::virtio {
namespace {

constexpr uint64_t kFeatureCsum = 1ull << 0, kFeatureGuestCsum = 1ull << 1, kFeatureMac = 1ull << 5,
                   kFeatureHostTso4 = 1ull << 11, kFeatureStatus = 1ull << 16;
constexpr uint16_t kStatusLinkUp = 1;
constexpr size_t kMinFrame = 14;  // an Ethernet header

#pragma pack(push, 1)
struct NetConfig {
  uint8_t mac[6];
  uint16_t status;
  uint16_t max_virtqueue_pairs;
};
struct NetHeader {
  uint8_t flags, gso_type;
  uint16_t hdr_len, gso_size, csum_start, csum_offset, num_buffers;
};
#pragma pack(pop)
static_assert(sizeof(NetHeader) == NetDevice::kHeaderSize);

}  // namespace

NetDevice::NetDevice(std::unique_ptr<net::NetBackend> backend, MacAddress mac)
    : mac_(mac), backend_(std::move(backend)) {
  if (backend_) backend_->set_receiver([this](const uint8_t* f, size_t n) { receive(f, n); });
}

uint64_t NetDevice::device_features() const {
  uint64_t f = kFeatureMac | kFeatureStatus;
  // Offloads save the guest most of its per-packet work, but need a back end that takes
  // 64 KiB frames (frames from it are complete, so rx checksums can be marked valid too).
  if (backend_ && backend_->takes_large_frames()) f |= kFeatureCsum | kFeatureGuestCsum | kFeatureHostTso4;
  return f;
}

void NetDevice::read_config(uint64_t offset, uint8_t* data, unsigned len) {
  NetConfig c{};
  memcpy(c.mac, mac_.data(), sizeof c.mac);
  c.status = kStatusLinkUp;
  c.max_virtqueue_pairs = 1;
  config_window(&c, sizeof c, offset, data, len);
}

bool NetDevice::activate(const ActiveState& state, std::string&) {
  state_ = state;
  std::lock_guard lock(rx_mutex_);
  // Without a live rx queue nothing could ever take a frame: drop them from the start.
  accepting_ = (*state.queues)[kRxQueue].ready;
  return true;
}

void NetDevice::stop_accepting() {
  std::lock_guard lock(rx_mutex_);
  accepting_ = false;
  rx_pending_.clear();
  rx_pending_bytes_ = 0;
  rx_ready_.drain();  // nothing left to announce: the eventfd must not keep the loop busy
}

void NetDevice::reset() {
  stop_accepting();
  state_ = {};
}

void NetDevice::receive(const uint8_t* frame, size_t len) {
  std::lock_guard lock(rx_mutex_);
  if (!accepting_ || len < kMinFrame || len > net::kMaxFrame || rx_pending_.size() >= kMaxPendingFrames ||
      rx_pending_bytes_ + len > kMaxPendingBytes) {
    ++net_counters_.rx_dropped;
    return;
  }
  rx_pending_.emplace_back(frame, frame + len);
  rx_pending_bytes_ += len;
  if (rx_pending_.size() == 1) rx_ready_.signal();
}

size_t NetDevice::pending_rx() const {
  std::lock_guard lock(rx_mutex_);
  return rx_pending_.size();
}

bool NetDevice::process_queue(unsigned q) {
  bool ok = true;
  if (q == kRxQueue) {
    rx_ready_.drain();
    ok = process_rx();
  } else if (q == kTxQueue) {
    // Replies the back end produced while taking our frames (ARP, ACKs) go out right away
    // (if the driver set up an rx queue at all: the transport only checked the tx queue).
    ok = process_tx() && (!(*state_.queues)[kRxQueue].ready || process_rx());
  }
  // The transport now wants a reset: stop queueing frames nobody will take.
  if (!ok) stop_accepting();
  return ok;
}

bool NetDevice::process_tx() {
  const memory::GuestRam& ram = *state_.ram;
  std::string error;
  const bool ok = drain_queue((*state_.queues)[kTxQueue], ram, *state_.interrupt, counters, error,
                              [&](const Chain& chain) -> std::optional<uint32_t> {
                                const uint64_t total = chain.readable_bytes();
                                if (total < kHeaderSize + kMinFrame || total - kHeaderSize > net::kMaxFrame) {
                                  // Malformed but harmless: drop the frame, complete the chain.
                                  ++counters.guest_errors;
                                  ++net_counters_.tx_dropped;
                                  return 0;
                                }
                                if (!tx_limiter_.admit(total - kHeaderSize)) return std::nullopt;  // timer resumes
                                ChainReader in(ram, chain);
                                NetHeader header;
                                in.read(&header, sizeof header);
                                tx_buffer_.resize(total - kHeaderSize);
                                const size_t n = in.read(tx_buffer_.data(), tx_buffer_.size());
                                const bool offload = (header.flags & net_offload::kFlagNeedsCsum) || header.gso_type;
                                if (offload && (!(state_.features & kFeatureCsum) ||
                                                (header.gso_type && !(state_.features & kFeatureHostTso4)) ||
                                                !net_offload::finish_tx(tx_buffer_.data(), n, header.flags,
                                                                        header.gso_type, header.csum_start,
                                                                        header.csum_offset))) {
                                  ++counters.guest_errors;  // asked for what was not negotiated, or lied
                                  ++net_counters_.tx_dropped;
                                  return 0;
                                }
                                if (backend_ && backend_->send(tx_buffer_.data(), n)) {
                                  ++net_counters_.tx_packets;
                                  net_counters_.tx_bytes += n;
                                  counters.bytes_written += n;
                                } else {
                                  ++net_counters_.tx_dropped;
                                }
                                return 0;
                              });
  if (!ok) LOG_WARN("virtio-net tx: %s", error.c_str());
  return ok;
}

bool NetDevice::process_rx() {
  const memory::GuestRam& ram = *state_.ram;
  std::string error;
  const bool ok = drain_queue((*state_.queues)[kRxQueue], ram, *state_.interrupt, counters, error,
                              [&](const Chain& chain) -> std::optional<uint32_t> {
                                std::vector<uint8_t> frame;
                                for (;;) {
                                  {
                                    std::lock_guard lock(rx_mutex_);
                                    if (rx_pending_.empty()) return std::nullopt;  // keep the buffer
                                    if (!rx_limiter_.admit(rx_pending_.front().size())) return std::nullopt;
                                    frame = std::move(rx_pending_.front());
                                    rx_pending_.pop_front();
                                    rx_pending_bytes_ -= frame.size();
                                  }
                                  if (chain.writable_bytes() >= kHeaderSize + frame.size()) break;
                                  // The guest's buffer cannot hold it: drop the frame, keep the buffer.
                                  ++net_counters_.rx_dropped;
                                  ++counters.guest_errors;
                                }
                                NetHeader header{};
                                header.num_buffers = 1;
                                if (state_.features & kFeatureGuestCsum) header.flags = net_offload::kFlagDataValid;
                                ChainWriter out(ram, chain);
                                out.write(&header, sizeof header);
                                out.write(frame.data(), frame.size());
                                ++net_counters_.rx_packets;
                                net_counters_.rx_bytes += frame.size();
                                counters.bytes_read += frame.size();
                                return static_cast<uint32_t>(out.written());
                              });
  if (!ok) LOG_WARN("virtio-net rx: %s", error.c_str());
  return ok;
}

}  // namespace vessel::devices::virtio
