// Guest time: a 10 MHz counter derived from the host's monotonic clock, so guest
// time is real time. The offset lets pause/restore keep the guest's view continuous.
#pragma once
#include <atomic>
#include <cstdint>
#include <ctime>

namespace vessel {

class Timebase {
 public:
  static constexpr uint64_t kFrequencyHz = 10'000'000;
  static constexpr uint64_t kNsPerTick = 1'000'000'000 / kFrequencyHz;

  Timebase() : origin_ns_(host_ns()) {}

  uint64_t now() const { return (host_ns() - origin_ns_) / kNsPerTick + offset_.load(std::memory_order_relaxed); }
  // Makes now() return `ticks` from this moment on.
  void set(uint64_t ticks) { offset_.store(ticks - (host_ns() - origin_ns_) / kNsPerTick, std::memory_order_relaxed); }
  // Host monotonic nanoseconds at which now() reaches `ticks` (for sleeping until a deadline).
  uint64_t host_ns_at(uint64_t ticks) const {
    const uint64_t off = offset_.load(std::memory_order_relaxed);
    if (ticks < off) return 0;
    const uint64_t rel = ticks - off;
    if (rel > (UINT64_MAX - origin_ns_) / kNsPerTick) return UINT64_MAX;
    return origin_ns_ + rel * kNsPerTick;
  }

  static uint64_t host_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
  }

 private:
  uint64_t origin_ns_;
  std::atomic<uint64_t> offset_{0};
};

}  // namespace vessel
