// The host side of virtio-vsock, with Firecracker's Unix-socket convention:
//  - a host client connects to PATH and writes "CONNECT PORT\n"; once the guest accepts, it
//    reads "OK HOSTPORT\n" and the socket carries the stream (a refusal closes it);
//  - a guest connecting to CID 2, port P reaches the Unix socket listening at "PATH_P".
// All host sockets are non-blocking and sit in one edge-triggered epoll set whose descriptor
// the device's transport watches on the VM's I/O thread; nothing here ever blocks a vCPU.
// Not thread-safe: the device calls it under its transport's lock.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "common/result.h"
#include "devices/virtio/vsock/vsock_connection.h"
#include "devices/virtio/vsock/vsock_packet.h"

namespace vessel::devices::virtio::vsock {

struct MuxerCounters {
  uint64_t host_connects = 0, guest_connects = 0, resets = 0, guest_errors = 0;
};

class Muxer {
 public:
  // `uds_path` empty: no host socket (guest connections to the host are reset).
  static Result<std::unique_ptr<Muxer>> create(uint64_t guest_cid, const std::string& uds_path);
  ~Muxer();
  Muxer(const Muxer&) = delete;
  Muxer& operator=(const Muxer&) = delete;

  int epoll_fd() const { return epoll_fd_; }
  uint64_t guest_cid() const { return guest_cid_; }
  // The driver is up: accept host clients (they wait in the backlog until then).
  void start();
  // Device reset: every connection is closed and nothing more is accepted until start().
  void stop();

  // Takes the readiness of every host socket (accepting clients and reading their handshakes).
  void poll_host();
  // A packet from the guest's tx queue; `payload` holds hdr.len bytes (checked by the caller).
  void handle_guest(const Header& hdr, const uint8_t* payload);
  // True when so many control packets wait for rx buffers that tx must pause (backpressure).
  bool backlog_full() const { return control_.size() >= kMaxControl; }
  // Writes data the guest sent to host sockets that can take it now.
  void flush_host();
  // The next packet for the guest, its payload (at most `cap` bytes) in `payload`;
  // false when there is nothing to send.
  bool next_packet(Header& hdr, uint8_t* payload, size_t cap);

  size_t connections() const { return conns_.size(); }
  const MuxerCounters& counters() const { return counters_; }

 private:
  static constexpr size_t kMaxControl = 1024;
  // A guest that does not answer a host connection in this time gets RST, the client EOF
  // (Firecracker's 2 s), so a hung guest cannot hold host clients forever.
  static constexpr uint64_t kConnectTimeoutNs = 2'000'000'000;
  static constexpr size_t kMaxConnections = 1024;
  static uint64_t key(uint32_t host_port, uint32_t guest_port) { return (uint64_t{host_port} << 32) | guest_port; }

  Muxer(uint64_t guest_cid, std::string uds_path, int listen_fd, int epoll_fd, int timer_fd);
  void arm_timer(uint64_t deadline_ns);
  void expire_connects();
  void accept_clients();
  void read_handshake(int fd);
  void drop_handshake(int fd);
  void guest_request(const Header& hdr);
  Connection* add_connection(int fd, uint32_t host_port, uint32_t guest_port, Connection::State state);
  void remove(uint64_t k, bool send_rst);
  void queue(const Header& hdr) { control_.push_back(hdr); }
  void queue_for(const Connection& c, uint16_t op, uint32_t flags = 0);
  void reply_rst(const Header& to);
  void finish_if_done(uint64_t k);
  Header header_for(const Connection& c, uint16_t op) const;
  uint32_t allocate_host_port();

  const uint64_t guest_cid_;
  const std::string uds_path_;
  const int listen_fd_;  // -1 without a Unix socket
  const int epoll_fd_;
  const int timer_fd_;  // CLOCK_MONOTONIC timerfd in the epoll set: connect timeouts
  uint64_t timer_at_ns_ = 0;  // 0: disarmed
  bool started_ = false;

  std::map<uint64_t, std::unique_ptr<Connection>> conns_;  // by key(host_port, guest_port)
  std::unordered_map<int, uint64_t> by_fd_;
  std::unordered_map<int, std::string> handshakes_;  // host clients before "CONNECT PORT\n"
  std::deque<Header> control_;                        // packets without payload for the guest
  uint64_t rr_next_ = 0;                              // round robin among connections with data
  uint32_t next_host_port_ = 1u << 30;
  MuxerCounters counters_;
};

}  // namespace vessel::devices::virtio::vsock
