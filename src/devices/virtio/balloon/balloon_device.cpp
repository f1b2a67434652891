#include "devices/virtio/balloon/balloon_device.h"

#include <sys/mman.h>

#include <cstring>

#include "devices/virtio/queue_drain.h"

namespace vessel::devices::virtio {
namespace {
constexpr uint64_t kFeatureStatsVq = 1ull << 1, kFeatureReporting = 1ull << 5;
constexpr unsigned kInflate = 0, kDeflate = 1, kStats = 2, kReporting = 3;
}  // namespace

uint64_t BalloonDevice::device_features() const { return kFeatureStatsVq | kFeatureReporting; }

void BalloonDevice::read_config(uint64_t offset, uint8_t* data, unsigned len) {
  const uint32_t c[2] = {target_pages_.load(), actual_pages_.load()};  // num_pages, actual
  config_window(c, sizeof c, offset, data, len);
}

void BalloonDevice::write_config(uint64_t offset, const uint8_t* data, unsigned len) {
  if (offset == 4 && len == 4) {  // the driver reports how many pages it holds
    uint32_t v;
    memcpy(&v, data, 4);
    actual_pages_ = v;
  }
}

bool BalloonDevice::activate(const ActiveState& state, std::string&) {
  state_ = state;
  return true;
}

void BalloonDevice::reset() {
  state_ = {};
  actual_pages_ = 0;
  std::lock_guard lock(stats_mutex_);
  stats_head_.reset();
}

void BalloonDevice::set_target_bytes(uint64_t bytes) {
  target_pages_ = static_cast<uint32_t>(std::min<uint64_t>(bytes / kPageSize, UINT32_MAX));
  if (state_.interrupt) state_.interrupt->config_changed();
}

bool BalloonDevice::handle_pages(unsigned q, const Chain& chain) {
  const memory::GuestRam& ram = *state_.ram;
  ChainReader in(ram, chain);
  uint32_t pfn;
  while (in.read(&pfn, sizeof pfn) == sizeof pfn) {
    const uint64_t paddr = uint64_t{pfn} * kPageSize;
    if (!ram.contains(paddr, kPageSize)) {  // not guest RAM: ignore, count
      ++counters.guest_errors;
      continue;
    }
    if (q == kInflate) {
      // The guest promised not to touch the page: give it back to the host.
      madvise(ram.at(paddr), kPageSize, MADV_DONTNEED);
      ram.mark_dirty(paddr, kPageSize);  // it now reads as zero: a migration must send that
      ++returned_;
    }
  }
  return true;
}

// A report lists free guest memory, one buffer per block: each goes back to the host. Only
// whole pages inside guest RAM are released; anything else is counted as a guest error.
void BalloonDevice::handle_report(const Chain& chain) {
  const memory::GuestRam& ram = *state_.ram;
  for (const Buffer& b : chain.buffers) {
    const uint64_t first = (b.addr + kPageSize - 1) & ~(kPageSize - 1);
    const uint64_t end = (b.addr + b.len) & ~(kPageSize - 1);
    if (end <= first || !ram.contains(first, end - first)) {
      ++counters.guest_errors;
      continue;
    }
    madvise(ram.at(first), end - first, MADV_DONTNEED);
    ram.mark_dirty(first, end - first);  // it now reads as zero: a migration must send that
    reported_ += (end - first) / kPageSize;
  }
}

bool BalloonDevice::process_queue(unsigned q) {
  std::string error;
  const memory::GuestRam& ram = *state_.ram;
  if (q == kReporting)
    return drain_queue((*state_.queues)[q], ram, *state_.interrupt, counters, error,
                       [&](const Chain& chain) -> std::optional<uint32_t> {
                         handle_report(chain);
                         return 0u;
                       });
  if (q == kStats) {
    // The driver posts one buffer with its statistics; we keep it until we want new ones.
    Chain chain;
    Virtqueue& vq = (*state_.queues)[q];
    for (;;) {
      const auto r = vq.pop(ram, chain, error);
      if (r == Virtqueue::Pop::Broken) return false;
      if (r == Virtqueue::Pop::Empty) break;
      std::map<uint16_t, uint64_t> report;
      ChainReader in(ram, chain);
      uint8_t entry[10];  // struct virtio_balloon_stat { le16 tag; le64 val; } packed
      while (in.read(entry, sizeof entry) == sizeof entry) {
        uint16_t tag;
        uint64_t val;
        memcpy(&tag, entry, 2);
        memcpy(&val, entry + 2, 8);
        report[tag] = val;
      }
      std::lock_guard lock(stats_mutex_);
      last_stats_ = std::move(report);
      if (stats_head_) vq.push(ram, *stats_head_, 0);  // a stray older buffer: return it
      stats_head_ = chain.head;
    }
    vq.update_avail_event(ram);
    if (vq.needs_interrupt(ram)) state_.interrupt->used_buffer();
    return true;
  }
  return drain_queue((*state_.queues)[q], ram, *state_.interrupt, counters, error,
                     [&](const Chain& chain) -> std::optional<uint32_t> {
                       handle_pages(q, chain);
                       return 0u;
                     });
}

std::map<uint16_t, uint64_t> BalloonDevice::stats() {
  std::lock_guard lock(stats_mutex_);
  if (stats_head_ && state_.queues) {
    // Returning the buffer is the request for a fresh report (virtio 1.2 section 5.5.6.3).
    Virtqueue& vq = (*state_.queues)[kStats];
    vq.push(*state_.ram, *stats_head_, 0);
    stats_head_.reset();
    if (vq.needs_interrupt(*state_.ram)) state_.interrupt->used_buffer();
  }
  return last_stats_;
}

}  // namespace vessel::devices::virtio
