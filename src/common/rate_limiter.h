// Rate limit of one I/O path (a drive, or one direction of a NIC): a byte bucket and an
// operation bucket (TokenBucket). A device asks admit() before each request; when it is over
// budget the limiter arms its timerfd for the moment the request may go, the device stops
// taking requests, and the I/O loop runs the device again when the timer fires: no busy-wait,
// no sleeping thread. Limits can change at any time from another thread.
#pragma once
#include <cstdint>
#include <mutex>

#include "common/token_bucket.h"

namespace vessel {

struct RateLimits {
  uint64_t bytes_per_s = 0, ops_per_s = 0;  // 0 = unlimited
};

class RateLimiter {
 public:
  RateLimiter();
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  void set(RateLimits limits);
  RateLimits limits() const;
  // One operation of `bytes`: true if it may go now (and is charged); false if it must wait
  // (the timer is armed).
  bool admit(uint64_t bytes);
  // Watched by the I/O loop; readable when a throttled device may continue.
  int timer_fd() const { return timer_fd_; }
  // Acknowledges the timer (call when the device runs).
  void clear_timer() const;
  uint64_t throttled() const;  // requests that had to wait

 private:
  void arm(uint64_t ns);
  int timer_fd_ = -1;
  mutable std::mutex mutex_;
  TokenBucket bytes_, ops_;
  uint64_t throttled_ = 0;
};

}  // namespace vessel
