// A token bucket: `rate` units per second, holding at most a tenth of a second's worth (at
// least one unit). A request may go while the bucket holds a unit and may take it below zero
// (a request larger than the bucket still passes); the debt is paid back before the next
// one goes, so the long-term rate is exact whatever the request sizes. Not thread-safe.
#pragma once
#include <algorithm>
#include <cstdint>

namespace vessel {

class TokenBucket {
 public:
  // rate 0 = unlimited.
  void set_rate(uint64_t rate, uint64_t now_ns) {
    refill(now_ns);
    const bool was_unlimited = rate_ == 0;
    rate_ = rate;
    capacity_ = std::max(static_cast<double>(rate) / 10.0, 1.0);
    if (was_unlimited) tokens_ = capacity_;
    tokens_ = std::min(tokens_, capacity_);
    last_ns_ = now_ns;
  }
  uint64_t rate() const { return rate_; }
  bool unlimited() const { return rate_ == 0; }

  bool ready(uint64_t now_ns) {
    refill(now_ns);
    return rate_ == 0 || tokens_ >= 1 - 1e-9;
  }
  void consume(uint64_t units) {
    if (rate_) tokens_ -= static_cast<double>(units);
  }
  // Nanoseconds from now until ready() turns true (0 if it is).
  uint64_t ns_until_ready(uint64_t now_ns) {
    if (ready(now_ns)) return 0;
    return static_cast<uint64_t>((1 - tokens_) * 1e9 / static_cast<double>(rate_)) + 1;
  }

 private:
  void refill(uint64_t now_ns) {
    if (rate_ && now_ns > last_ns_)
      tokens_ = std::min(capacity_, tokens_ + static_cast<double>(now_ns - last_ns_) * static_cast<double>(rate_) / 1e9);
    last_ns_ = std::max(last_ns_, now_ns);
  }
  uint64_t rate_ = 0;
  double capacity_ = 1, tokens_ = 1;
  uint64_t last_ns_ = 0;
};

}  // namespace vessel
