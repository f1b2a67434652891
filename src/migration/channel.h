// One end of a migration connection: whole-buffer sends and receives with a timeout (a peer
// that stops reading or writing is an error, not a hang), an optional bandwidth cap, and a
// count of the bytes moved. close() from another thread aborts a blocked call.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/result.h"

namespace vessel::migration {

class Channel {
 public:
  explicit Channel(int fd) : fd_(fd) {}
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // 0 = unlimited. Applies to sends.
  void set_bandwidth(uint64_t bytes_per_s) { bandwidth_ = bytes_per_s; }
  // How long one send or receive may wait for the peer.
  void set_timeout_ms(int ms) { timeout_ms_ = ms; }

  Result<bool> send(const void* data, size_t len);
  // Exactly `len` bytes; waits at most `timeout_ms` (default: the channel's) for each part.
  Result<bool> receive(void* data, size_t len, int timeout_ms = 0);
  // Shuts the connection down (any thread): blocked calls fail at once.
  void abort();

  uint64_t bytes_sent() const { return sent_.load(std::memory_order_relaxed); }
  uint64_t bytes_received() const { return received_; }

 private:
  void throttle(size_t len);
  int fd_;
  int timeout_ms_ = 30'000;
  uint64_t bandwidth_ = 0;
  std::atomic<uint64_t> sent_{0};
  uint64_t received_ = 0;
  uint64_t window_start_ns_ = 0, window_bytes_ = 0;
};

}  // namespace vessel::migration
