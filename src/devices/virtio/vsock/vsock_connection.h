// One vsock stream between a guest port and a host Unix socket: the socket, the bytes the
// guest sent that the host has not taken yet, and both directions' credit (virtio 1.2 5.10.6.3).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace vessel::devices::virtio::vsock {

class Connection {
 public:
  // Buffer space we grant the guest per connection; guest data beyond it is a protocol violation.
  static constexpr uint32_t kBufAlloc = 256 * 1024;
  enum class State { AwaitingResponse, Established };  // host-initiated ones wait for OP_RESPONSE
  enum class Io { Done, Again, Eof, Error };

  Connection(int fd, uint32_t host_port, uint32_t guest_port, State state);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  const uint32_t host_port, guest_port;
  State state;

  // Guest -> host. Returns false if the guest sent more than the credit we granted.
  bool queue_to_host(const uint8_t* data, size_t len);
  // A line of our own for the host client ("OK 1073741824\n"), ahead of any guest data.
  void queue_reply_line(const std::string& line);
  // Writes what the socket takes; Done when nothing is left, Again when the socket is full.
  Io flush();
  bool host_pending() const { return out_.size() > out_pos_; }
  uint32_t fwd_cnt() const { return fwd_cnt_; }
  // Enough forwarded since the guest last heard our fwd_cnt that it may be waiting for credit.
  bool credit_update_due() const { return fwd_cnt_ - fwd_cnt_told_ >= kBufAlloc / 4; }
  void told_fwd_cnt() { fwd_cnt_told_ = fwd_cnt_; }

  // Host -> guest, limited by the guest's credit.
  void peer_credit(uint32_t buf_alloc, uint32_t fwd_cnt) {
    peer_buf_alloc_ = buf_alloc;
    peer_fwd_cnt_ = fwd_cnt;
  }
  uint32_t credit() const;
  // Reads up to `max` bytes (Done with n > 0, Again, Eof or Error).
  Io read_from_host(uint8_t* buf, size_t max, size_t& n);

  bool readable = true, writable = true;  // edge-triggered readiness not yet consumed
  bool host_eof = false;                  // the host client sent everything it will
  bool guest_shut_send = false, guest_shut_rcv = false;
  bool update_queued = false;  // a CREDIT_UPDATE waits in the control queue
  uint64_t connect_deadline_ns = 0;  // AwaitingResponse: when the host client gives up

 private:
  int fd_;
  std::string out_;  // to the host; out_pos_ bytes of it already written
  size_t out_pos_ = 0;
  size_t reply_left_ = 0;  // bytes of our own reply line still at the front of out_
  uint32_t fwd_cnt_ = 0, fwd_cnt_told_ = 0;
  uint32_t tx_cnt_ = 0, peer_buf_alloc_ = 0, peer_fwd_cnt_ = 0;
};

}  // namespace vessel::devices::virtio::vsock
