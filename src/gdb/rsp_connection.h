// The GDB remote serial protocol's framing on one connected socket: $packet#checksum with
// acknowledgements (until QStartNoAckMode), '}' escapes, and the 0x03 byte of Ctrl-C.
#pragma once
#include <optional>
#include <string>

namespace vessel::gdb {

class RspConnection {
 public:
  explicit RspConnection(int fd) : fd_(fd) {}
  ~RspConnection();
  RspConnection(const RspConnection&) = delete;
  RspConnection& operator=(const RspConnection&) = delete;

  // The next packet's payload (escapes undone), "\x03" for an interrupt, nullopt on EOF.
  std::optional<std::string> read_packet();
  bool send_packet(const std::string& payload);
  // True when the client sent Ctrl-C (0x03) meanwhile; never blocks.
  bool interrupt_pending();
  void set_no_ack(bool on) { no_ack_ = on; }
  int fd() const { return fd_; }

 private:
  bool fill(int timeout_ms);  // reads what is there into buf_; false on EOF/error
  int fd_;
  std::string buf_;
  bool no_ack_ = false;
  bool eof_ = false;
};

// A listening socket for "tcp:HOST:PORT" or "unix:PATH"; -1 with `error`.
int listen_gdb(const std::string& spec, std::string& error);
// One client from `listener` (which stays open); -1 when `stop_fd` becomes readable first.
int accept_gdb(int listener, int stop_fd = -1);
// Both: waits for one client on `spec`.
int accept_gdb_client(const std::string& spec, std::string& error);

}  // namespace vessel::gdb
