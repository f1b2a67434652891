#include "devices/virtio/9p/p9_device.h"

#include <algorithm>

#include "common/log.h"
#include "devices/virtio/queue_drain.h"
#include "snapshot/state_stream.h"

namespace vessel::devices::virtio {

P9Device::P9Device(std::string tag, p9::ShareRoot root, bool read_only)
    : tag_(std::move(tag)), server_(std::move(root), read_only) {
  config_ = {static_cast<uint8_t>(tag_.size()), static_cast<uint8_t>(tag_.size() >> 8)};
  config_.insert(config_.end(), tag_.begin(), tag_.end());
}

void P9Device::read_config(uint64_t offset, uint8_t* data, unsigned len) {
  config_window(config_.data(), config_.size(), offset, data, len);
}

bool P9Device::activate(const ActiveState& state, std::string& error) {
  if (!(*state.queues)[0].ready) {
    error = "virtio-9p needs its request queue";
    return false;
  }
  state_ = state;
  return true;
}

void P9Device::reset() {
  server_.reset();  // the driver starts a new session with Tversion
  state_ = {};
}

bool P9Device::process_queue(unsigned) {
  const memory::GuestRam& ram = *state_.ram;
  std::string error;
  const bool ok = drain_queue((*state_.queues)[0], ram, *state_.interrupt, counters, error,
                              [&](const Chain& chain) -> std::optional<uint32_t> {
                                // Never more than the largest msize: the server refuses a size
                                // field beyond what it was given.
                                const size_t in = std::min<uint64_t>(chain.readable_bytes(), p9::Server::kMaxMsize);
                                request_.resize(in);
                                ChainReader(ram, chain).read(request_.data(), in);
                                const size_t room = chain.writable_bytes();
                                if (!server_.handle(request_.data(), in, room, reply_)) {
                                  ++counters.guest_errors;  // not even a header: nothing to answer
                                  return 0u;
                                }
                                ChainWriter out(ram, chain);
                                if (out.write(reply_.data(), reply_.size()) != reply_.size())
                                  ++counters.guest_errors;  // reply buffers too small even for an error
                                return static_cast<uint32_t>(out.written());
                              });
  counters.bytes_read = server_.counters.bytes_read;
  counters.bytes_written = server_.counters.bytes_written;
  if (!ok) LOG_WARN("virtio-9p %s: %s", tag_.c_str(), error.c_str());
  return ok;
}

void P9Device::save_state(snapshot::StateWriter& out) {
  out.string(tag_);
  server_.save_state(out);
}

bool P9Device::restore_state(snapshot::StateReader& in) {
  const std::string tag = in.string(kMaxTag);
  if (in.ok() && tag != tag_) in.fail("snapshot has 9p tag '" + tag + "', this VM '" + tag_ + "'");
  if (!in.ok()) return false;
  return server_.restore_state(in);
}

}  // namespace vessel::devices::virtio
