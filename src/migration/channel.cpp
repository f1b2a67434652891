#include "migration/channel.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "common/timebase.h"

namespace vessel::migration {

Channel::~Channel() {
  if (fd_ >= 0) close(fd_);
}

void Channel::abort() {
  if (fd_ >= 0) shutdown(fd_, SHUT_RDWR);
}

// The cap is kept over windows of 100 ms: a sender ahead of its budget sleeps until the
// bytes it sent fit (so bursts stay short and the average is the cap).
void Channel::throttle(size_t len) {
  if (!bandwidth_) return;
  const uint64_t now = Timebase::host_ns();
  if (!window_start_ns_ || now - window_start_ns_ > 100'000'000) {
    window_start_ns_ = now;
    window_bytes_ = 0;
  }
  window_bytes_ += len;
  const uint64_t due_ns = window_start_ns_ + window_bytes_ * 1'000'000'000 / bandwidth_;
  if (due_ns > now) std::this_thread::sleep_for(std::chrono::nanoseconds(due_ns - now));
}

Result<bool> Channel::send(const void* data, size_t len) {
  const auto* p = static_cast<const uint8_t*>(data);
  while (len) {
    const size_t chunk = bandwidth_ ? std::min<size_t>(len, 64 * 1024) : len;
    throttle(chunk);
    size_t left = chunk;
    while (left) {
      pollfd pfd{fd_, POLLOUT, 0};
      const int n = poll(&pfd, 1, timeout_ms_);
      if (n < 0 && errno == EINTR) continue;
      if (n == 0) return Error{"the peer stopped reading the migration stream"};
      const ssize_t w = ::send(fd_, p, left, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (w <= 0) return Error{std::string("migration connection lost: ") + (w < 0 ? strerror(errno) : "closed")};
      p += w;
      left -= static_cast<size_t>(w);
      len -= static_cast<size_t>(w);
      sent_.fetch_add(static_cast<uint64_t>(w), std::memory_order_relaxed);
    }
  }
  return true;
}

Result<bool> Channel::receive(void* data, size_t len, int timeout_ms) {
  auto* p = static_cast<uint8_t*>(data);
  const int wait_ms = timeout_ms ? timeout_ms : timeout_ms_;
  while (len) {
    pollfd pfd{fd_, POLLIN, 0};
    const int n = poll(&pfd, 1, wait_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return Error{"the migration stream stalled (nothing received for " + std::to_string(wait_ms / 1000) + " s)"};
    const ssize_t r = ::recv(fd_, p, len, MSG_DONTWAIT);
    if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (r == 0) return Error{"the migration stream ended early (the peer closed the connection)"};
    if (r < 0) return Error{std::string("migration connection lost: ") + strerror(errno)};
    p += r;
    len -= static_cast<size_t>(r);
    received_ += static_cast<uint64_t>(r);
  }
  return true;
}

}  // namespace vessel::migration
