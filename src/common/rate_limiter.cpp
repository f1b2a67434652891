#include "common/rate_limiter.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include "common/timebase.h"

namespace vessel {

RateLimiter::RateLimiter() : timer_fd_(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) {}

RateLimiter::~RateLimiter() {
  if (timer_fd_ >= 0) close(timer_fd_);
}

void RateLimiter::set(RateLimits limits) {
  std::lock_guard lock(mutex_);
  const uint64_t now = Timebase::host_ns();
  bytes_.set_rate(limits.bytes_per_s, now);
  ops_.set_rate(limits.ops_per_s, now);
  arm(1);  // a device waiting under the old limits re-checks at once
}

RateLimits RateLimiter::limits() const {
  std::lock_guard lock(mutex_);
  return {bytes_.rate(), ops_.rate()};
}

bool RateLimiter::admit(uint64_t bytes) {
  std::lock_guard lock(mutex_);
  if (bytes_.unlimited() && ops_.unlimited()) return true;
  const uint64_t now = Timebase::host_ns();
  const uint64_t wait = std::max(bytes_.ns_until_ready(now), ops_.ns_until_ready(now));
  if (wait) {
    ++throttled_;
    arm(wait);
    return false;
  }
  bytes_.consume(bytes);
  ops_.consume(1);
  return true;
}

void RateLimiter::clear_timer() const {
  uint64_t expirations;
  (void)!read(timer_fd_, &expirations, sizeof expirations);
}

uint64_t RateLimiter::throttled() const {
  std::lock_guard lock(mutex_);
  return throttled_;
}

void RateLimiter::arm(uint64_t ns) {
  itimerspec spec{};
  spec.it_value.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  spec.it_value.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  timerfd_settime(timer_fd_, 0, &spec, nullptr);
}

}  // namespace vessel
