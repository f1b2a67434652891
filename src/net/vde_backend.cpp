#include "net/vde_backend.h"

// libvdeplug.h has no extern "C" of its own.
extern "C" {
#include <libvdeplug.h>
}
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>

namespace vessel::net {

namespace {

// Connections made by preopen(), by switch path, taken by create() in order.
std::mutex preopened_mutex;
std::map<std::string, std::deque<vdeconn*>>& preopened() {
  static std::map<std::string, std::deque<vdeconn*>> table;
  return table;
}

Result<vdeconn*> join_switch(const std::string& switch_path, const std::string& description) {
  if (switch_path.empty()) return Error{"--net vde: sock=PATH (the switch's socket directory) is required"};
  // libvdeplug's own message for a missing switch is only "No such file or directory".
  struct stat st{};
  if (switch_path.find("://") == std::string::npos && stat(switch_path.c_str(), &st) != 0)
    return Error{"--net vde: no VDE switch at " + switch_path + " (" + strerror(errno) +
                 "); start one with `vde_switch -s " + switch_path + " -d`"};
  std::string url = switch_path, descr = description;
  vde_open_args args{};  // port 0: the switch picks a free port
  VDECONN* conn = vde_open(url.data(), descr.data(), &args);
  if (!conn) return Error{"--net vde: cannot join the switch at " + switch_path + ": " + strerror(errno)};
  // libvdeplug passes no flags to recv/send: only a non-blocking socket keeps the I/O thread
  // from waiting inside vde_recv for the next frame (and a full switch from stalling a send).
  const int fd = vde_datafd(conn);
  const int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    const int e = errno;
    vde_close(conn);
    return Error{std::string("--net vde: cannot make the switch connection non-blocking: ") + strerror(e)};
  }
  return conn;
}

std::string port_description() { return "vessel-vmm pid " + std::to_string(getpid()); }

}  // namespace

Result<bool> VdeBackend::preopen(const std::string& switch_path) {
  auto conn = join_switch(switch_path, port_description());
  if (!conn) return Error{conn.error()};
  std::lock_guard lock(preopened_mutex);
  preopened()[switch_path].push_back(conn.value());
  return true;
}

Result<std::unique_ptr<VdeBackend>> VdeBackend::create(EventLoop& loop, const std::string& switch_path,
                                                       const std::string& description) {
  vdeconn* conn = nullptr;
  std::string preopened_path;
  {
    std::lock_guard lock(preopened_mutex);
    if (auto it = preopened().find(switch_path); it != preopened().end() && !it->second.empty()) {
      conn = it->second.front();
      it->second.pop_front();
      preopened_path = switch_path;
    }
  }
  if (!conn) {
    auto joined = join_switch(switch_path, description);
    if (!joined) return Error{joined.error()};
    conn = joined.value();
  }
  std::unique_ptr<VdeBackend> b(new VdeBackend(loop, conn, std::move(preopened_path)));
  if (!loop.add(b->data_fd_, [p = b.get()](uint32_t) { p->on_readable(); }))
    return Error{"--net vde: cannot watch the switch connection"};
  b->registered_ = true;
  return b;
}

VdeBackend::VdeBackend(EventLoop& loop, vdeconn* conn, std::string preopened_path)
    : loop_(loop), conn_(conn), preopened_path_(std::move(preopened_path)), data_fd_(vde_datafd(conn)),
      buffer_(VDE_ETHBUFSIZE) {}

VdeBackend::~VdeBackend() {
  if (registered_) loop_.remove(data_fd_);
  if (preopened_path_.empty()) {
    vde_close(conn_);
    return;
  }
  std::lock_guard lock(preopened_mutex);
  preopened()[preopened_path_].push_front(conn_);
}

bool VdeBackend::send(const uint8_t* frame, size_t len) {
  // A datagram per frame; when the switch's queue is full it is dropped like on a wire.
  if (len > VDE_ETHBUFSIZE) return false;
  return vde_send(conn_, frame, len, 0) == static_cast<ssize_t>(len);
}

void VdeBackend::on_readable() {
  // Bounded per wake-up so other devices get their turn; the fd stays readable if more wait.
  for (int i = 0; i < 64; ++i) {
    const ssize_t n = vde_recv(conn_, buffer_.data(), buffer_.size(), 0);
    // libvdeplug reports a zero-length datagram as 1 byte; anything shorter than a header is not a frame.
    if (n < 14) return;
    if (receiver_) receiver_(buffer_.data(), static_cast<size_t>(n));
  }
}

}  // namespace vessel::net
