#include "devices/virtio/balloon/balloon_device.h"
#include "snapshot/state_stream.h"

namespace vessel::devices::virtio {

void BalloonDevice::save_state(snapshot::StateWriter& out) {
  out.u32(target_pages_.load());
  out.u32(actual_pages_.load());
  out.u64(returned_.load());
  std::lock_guard lock(stats_mutex_);
  out.boolean(stats_head_.has_value());
  out.u16(stats_head_.value_or(0));
  out.u32(static_cast<uint32_t>(last_stats_.size()));
  for (const auto& [tag, value] : last_stats_) {
    out.u16(tag);
    out.u64(value);
  }
}

bool BalloonDevice::restore_state(snapshot::StateReader& in) {
  target_pages_ = in.u32();
  actual_pages_ = in.u32();
  returned_ = in.u64();
  std::lock_guard lock(stats_mutex_);
  const bool held = in.boolean();
  const uint16_t head = in.u16();
  stats_head_.reset();
  if (held) stats_head_ = head;
  last_stats_.clear();
  const uint32_t n = static_cast<uint32_t>(in.bounded(in.u32(), 4096, "statistics count"));
  for (uint32_t i = 0; i < n && in.ok(); ++i) {
    const uint16_t tag = in.u16();
    last_stats_[tag] = in.u64();
  }
  return in.ok();
}

}  // namespace vessel::devices::virtio
