#include "devices/virtio/vsock/vsock_connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace vessel::devices::virtio::vsock {

Connection::Connection(int fd, uint32_t host_port_, uint32_t guest_port_, State state_)
    : host_port(host_port_), guest_port(guest_port_), state(state_), fd_(fd) {}

Connection::~Connection() { close(fd_); }

bool Connection::queue_to_host(const uint8_t* data, size_t len) {
  const size_t buffered = out_.size() - out_pos_ - reply_left_;
  if (buffered + len > kBufAlloc) return false;
  if (out_pos_ == out_.size()) {  // all written: start over instead of growing
    out_.clear();
    out_pos_ = 0;
  }
  out_.append(reinterpret_cast<const char*>(data), len);
  return true;
}

void Connection::queue_reply_line(const std::string& line) {
  out_.insert(out_pos_, line);
  reply_left_ += line.size();
}

Connection::Io Connection::flush() {
  while (host_pending()) {
    // MSG_NOSIGNAL: a client that went away must not kill the VMM with SIGPIPE.
    const ssize_t n = send(fd_, out_.data() + out_pos_, out_.size() - out_pos_, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        writable = false;
        return Io::Again;
      }
      return Io::Error;
    }
    size_t sent = static_cast<size_t>(n);
    out_pos_ += sent;
    const size_t ours = sent < reply_left_ ? sent : reply_left_;
    reply_left_ -= ours;
    fwd_cnt_ += static_cast<uint32_t>(sent - ours);  // only guest bytes free guest credit
  }
  out_.clear();
  out_pos_ = 0;
  return Io::Done;
}

uint32_t Connection::credit() const {
  const uint32_t in_flight = tx_cnt_ - peer_fwd_cnt_;  // wraps like the counters do
  return in_flight >= peer_buf_alloc_ ? 0 : peer_buf_alloc_ - in_flight;
}

Connection::Io Connection::read_from_host(uint8_t* buf, size_t max, size_t& n) {
  n = 0;
  for (;;) {
    const ssize_t r = recv(fd_, buf, max, MSG_DONTWAIT);
    if (r > 0) {
      n = static_cast<size_t>(r);
      tx_cnt_ += static_cast<uint32_t>(n);
      return Io::Done;
    }
    if (r == 0) return Io::Eof;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      readable = false;
      return Io::Again;
    }
    return Io::Error;
  }
}

}  // namespace vessel::devices::virtio::vsock
