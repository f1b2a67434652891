#include "devices/virtio/vsock/vsock_muxer.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <cerrno>
#include <charconv>
#include <ctime>

#include "common/unix_socket.h"

namespace vessel::devices::virtio::vsock {
namespace {

constexpr uint32_t kConnEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
constexpr size_t kMaxHandshake = 32;  // "CONNECT 4294967295" and then some

// "CONNECT PORT" (the newline already stripped); a trailing CR is tolerated, as Firecracker does.
uint64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000 + static_cast<uint64_t>(ts.tv_nsec);
}

bool parse_connect(std::string line, uint32_t& port) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  constexpr std::string_view kVerb = "CONNECT ";
  if (line.size() <= kVerb.size() || line.compare(0, kVerb.size(), kVerb) != 0) return false;
  const char* first = line.data() + kVerb.size();
  const char* last = line.data() + line.size();
  const auto r = std::from_chars(first, last, port);
  return r.ec == std::errc{} && r.ptr == last;
}

}  // namespace

Result<std::unique_ptr<Muxer>> Muxer::create(uint64_t guest_cid, const std::string& uds_path) {
  int listen_fd = -1;
  if (!uds_path.empty()) {
    auto fd = listen_unix(uds_path, 64);
    if (!fd) return Error{"--vsock: " + fd.error()};
    listen_fd = fd.value();
    fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK);
  }
  const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  const int timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  epoll_event e{};
  e.events = EPOLLIN;
  e.data.fd = timer_fd;
  if (epoll_fd < 0 || timer_fd < 0 || epoll_ctl(epoll_fd, EPOLL_CTL_ADD, timer_fd, &e) != 0) {
    for (int fd : {listen_fd, epoll_fd, timer_fd})
      if (fd >= 0) close(fd);
    return Error{"--vsock: cannot create its epoll set and timer"};
  }
  return std::unique_ptr<Muxer>(new Muxer(guest_cid, uds_path, listen_fd, epoll_fd, timer_fd));
}

Muxer::Muxer(uint64_t guest_cid, std::string uds_path, int listen_fd, int epoll_fd, int timer_fd)
    : guest_cid_(guest_cid), uds_path_(std::move(uds_path)), listen_fd_(listen_fd), epoll_fd_(epoll_fd),
      timer_fd_(timer_fd) {
  // Host ports start at a random point of [2^30, 2^31): a VMM restored from a snapshot (or
  // arriving by migration) must not reuse the ports of connections the guest may still hold
  // until it has processed the transport reset; a request from such a port would be refused.
  std::random_device rd;
  next_host_port_ = (1u << 30) + std::uniform_int_distribution<uint32_t>(0, (1u << 30) - 1)(rd);
}

Muxer::~Muxer() {
  stop();
  if (listen_fd_ >= 0) {
    close(listen_fd_);
    unlink(uds_path_.c_str());
  }
  close(timer_fd_);
  close(epoll_fd_);
}

void Muxer::start() {
  if (started_ || listen_fd_ < 0) return;
  epoll_event e{};
  e.events = EPOLLIN | EPOLLET;  // adding reports clients already waiting in the backlog
  e.data.fd = listen_fd_;
  started_ = epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &e) == 0;
}

void Muxer::stop() {
  if (started_) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
  started_ = false;
  conns_.clear();  // closing a descriptor also takes it out of the epoll set
  by_fd_.clear();
  for (const auto& h : handshakes_) close(h.first);
  handshakes_.clear();
  control_.clear();
  arm_timer(0);
}

void Muxer::arm_timer(uint64_t deadline_ns) {
  itimerspec t{};
  t.it_value.tv_sec = static_cast<time_t>(deadline_ns / 1'000'000'000);
  t.it_value.tv_nsec = static_cast<long>(deadline_ns % 1'000'000'000);
  timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &t, nullptr);  // all zero disarms
  timer_at_ns_ = deadline_ns;
}

void Muxer::expire_connects() {
  uint64_t expirations;
  (void)!read(timer_fd_, &expirations, sizeof expirations);
  const uint64_t now = monotonic_ns();
  uint64_t next = 0;
  for (auto it = conns_.begin(); it != conns_.end();) {
    const uint64_t k = it->first;
    const Connection& c = *it->second;
    ++it;  // remove(k) erases only k
    if (c.state != Connection::State::AwaitingResponse) continue;
    if (c.connect_deadline_ns <= now) {
      remove(k, true);
    } else if (next == 0 || c.connect_deadline_ns < next) {
      next = c.connect_deadline_ns;
    }
  }
  arm_timer(next);
}

void Muxer::poll_host() {
  epoll_event events[64];
  // Until the set is quiet: clients accepted here report their first bytes in a later round.
  // Bounded, so a flood of clients cannot hold the I/O thread (the rest wait for the next call).
  for (int round = 0; round < 64; ++round) {
    const int n = epoll_wait(epoll_fd_, events, 64, 0);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      const uint32_t ev = events[i].events;
      if (fd == listen_fd_) {
        accept_clients();
      } else if (fd == timer_fd_) {
        expire_connects();
      } else if (handshakes_.count(fd)) {
        read_handshake(fd);
      } else if (auto it = by_fd_.find(fd); it != by_fd_.end()) {
        Connection& c = *conns_.at(it->second);
        if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c.readable = true;
        if (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) c.writable = true;
      }
    }
    if (n <= 0) return;
  }
}

void Muxer::accept_clients() {
  for (;;) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;  // EAGAIN: backlog empty (other errors: the client is gone)
    }
    if (conns_.size() + handshakes_.size() >= kMaxConnections) {
      close(fd);
      continue;
    }
    epoll_event e{};
    e.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    e.data.fd = fd;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &e) != 0) {
      close(fd);
      continue;
    }
    handshakes_.emplace(fd, std::string{});
  }
}

void Muxer::drop_handshake(int fd) {
  handshakes_.erase(fd);
  close(fd);
}

void Muxer::read_handshake(int fd) {
  std::string& line = handshakes_.at(fd);
  // One byte at a time: whatever follows the newline is stream data, and the line is short.
  for (;;) {
    char ch;
    const ssize_t r = recv(fd, &ch, 1, MSG_DONTWAIT);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (r <= 0) return drop_handshake(fd);
    if (ch == '\n') break;
    line += ch;
    if (line.size() > kMaxHandshake) return drop_handshake(fd);
  }
  uint32_t port;
  if (!parse_connect(line, port)) return drop_handshake(fd);
  handshakes_.erase(fd);
  Connection* c = add_connection(fd, allocate_host_port(), port, Connection::State::AwaitingResponse);
  ++counters_.host_connects;
  c->connect_deadline_ns = monotonic_ns() + kConnectTimeoutNs;
  if (timer_at_ns_ == 0) arm_timer(c->connect_deadline_ns);  // else an earlier expiry re-arms it
  queue_for(*c, kOpRequest);
}

Connection* Muxer::add_connection(int fd, uint32_t host_port, uint32_t guest_port, Connection::State state) {
  const uint64_t k = key(host_port, guest_port);
  auto c = std::make_unique<Connection>(fd, host_port, guest_port, state);
  epoll_event e{};
  e.events = kConnEvents;
  e.data.fd = fd;
  // A host client is in the set already (for its handshake); a guest's connection is new.
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &e) != 0) epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &e);
  by_fd_[fd] = k;
  Connection* raw = c.get();
  conns_[k] = std::move(c);
  return raw;
}

uint32_t Muxer::allocate_host_port() {
  for (;;) {
    const uint32_t p = next_host_port_++;
    if (next_host_port_ == 0) next_host_port_ = 1u << 30;
    const bool used = std::any_of(conns_.begin(), conns_.end(), [p](const auto& e) { return e.second->host_port == p; });
    if (!used) return p;
  }
}

Header Muxer::header_for(const Connection& c, uint16_t op) const {
  Header h;
  h.src_cid = kHostCid;
  h.dst_cid = guest_cid_;
  h.src_port = c.host_port;
  h.dst_port = c.guest_port;
  h.op = op;
  h.buf_alloc = Connection::kBufAlloc;
  h.fwd_cnt = c.fwd_cnt();
  return h;
}

void Muxer::queue_for(const Connection& c, uint16_t op, uint32_t flags) {
  Header h = header_for(c, op);
  h.flags = flags;
  control_.push_back(h);
}

void Muxer::reply_rst(const Header& to) {
  Header h;
  h.src_cid = to.dst_cid;
  h.dst_cid = to.src_cid;
  h.src_port = to.dst_port;
  h.dst_port = to.src_port;
  h.type = to.type;
  h.op = kOpRst;
  control_.push_back(h);
  ++counters_.resets;
}

void Muxer::remove(uint64_t k, bool send_rst) {
  auto it = conns_.find(k);
  if (it == conns_.end()) return;
  if (send_rst) {
    control_.push_back(header_for(*it->second, kOpRst));
    ++counters_.resets;
  }
  by_fd_.erase(it->second->fd());
  conns_.erase(it);  // closes the host socket: its client sees the end of the stream
}

// Ends a connection both sides have finished with, once the guest's last bytes reached the host.
void Muxer::finish_if_done(uint64_t k) {
  auto it = conns_.find(k);
  if (it == conns_.end()) return;
  Connection& c = *it->second;
  if (!c.guest_shut_send || c.host_pending()) return;
  shutdown(c.fd(), SHUT_WR);  // the host client reads the end of the stream
  if (c.guest_shut_rcv || c.host_eof) remove(k, true);
}

void Muxer::guest_request(const Header& hdr) {
  if (uds_path_.empty() || conns_.size() + handshakes_.size() >= kMaxConnections) return reply_rst(hdr);
  sockaddr_un addr;
  if (!unix_address(uds_path_ + "_" + std::to_string(hdr.dst_port), addr)) return reply_rst(hdr);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return reply_rst(hdr);
  // A non-blocking connect to a Unix socket completes or fails at once (EAGAIN: backlog full).
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return reply_rst(hdr);
  }
  Connection* c = add_connection(fd, hdr.dst_port, hdr.src_port, Connection::State::Established);
  c->peer_credit(hdr.buf_alloc, hdr.fwd_cnt);
  ++counters_.guest_connects;
  queue_for(*c, kOpResponse);
}

void Muxer::handle_guest(const Header& hdr, const uint8_t* payload) {
  if (hdr.src_cid != guest_cid_) {  // not from this guest's address: ignored
    ++counters_.guest_errors;
    return;
  }
  if (hdr.dst_cid != kHostCid || hdr.type != kTypeStream) {
    if (hdr.op != kOpRst) reply_rst(hdr);  // no such peer, or no seqpacket: refuse
    return;
  }
  const uint64_t k = key(hdr.dst_port, hdr.src_port);
  auto it = conns_.find(k);
  if (it == conns_.end()) {
    if (hdr.op == kOpRequest) return guest_request(hdr);
    if (hdr.op != kOpRst) reply_rst(hdr);  // a packet for a connection we do not know
    return;
  }
  Connection& c = *it->second;
  c.peer_credit(hdr.buf_alloc, hdr.fwd_cnt);
  switch (hdr.op) {
    case kOpResponse:
      if (c.state != Connection::State::AwaitingResponse) return remove(k, true);
      c.state = Connection::State::Established;
      c.queue_reply_line("OK " + std::to_string(c.host_port) + "\n");
      return;
    case kOpRst:
      return remove(k, false);  // a refused host connection: closing tells the client
    case kOpRw:
      if (c.state != Connection::State::Established || c.guest_shut_send) return remove(k, true);
      if (!c.queue_to_host(payload, hdr.len)) {  // more than the credit we gave
        ++counters_.guest_errors;
        return remove(k, true);
      }
      return;
    case kOpCreditUpdate:
      return;  // the credit was taken above
    case kOpCreditRequest:
      if (!c.update_queued) {
        c.update_queued = true;
        queue_for(c, kOpCreditUpdate);
      }
      return;
    case kOpShutdown:
      c.guest_shut_rcv |= (hdr.flags & kShutdownRcv) != 0;
      c.guest_shut_send |= (hdr.flags & kShutdownSend) != 0;
      return finish_if_done(k);
    default:  // a second REQUEST on a live connection, or an unknown op
      ++counters_.guest_errors;
      return remove(k, true);
  }
}

void Muxer::flush_host() {
  for (auto it = conns_.begin(); it != conns_.end();) {
    const uint64_t k = it->first;
    Connection& c = *it->second;
    ++it;  // remove(k) below erases only k
    if (!c.host_pending() || !c.writable) continue;
    const Connection::Io r = c.flush();
    if (r == Connection::Io::Error) {
      remove(k, true);
      continue;
    }
    if (c.credit_update_due() && !c.update_queued) {
      c.update_queued = true;
      queue_for(c, kOpCreditUpdate);
    }
    if (r == Connection::Io::Done) finish_if_done(k);
  }
}

bool Muxer::next_packet(Header& hdr, uint8_t* payload, size_t cap) {
  // Control packets first, so a RESPONSE always precedes the connection's data.
  if (!control_.empty()) {
    hdr = control_.front();
    control_.pop_front();
    if (auto it = conns_.find(key(hdr.src_port, hdr.dst_port)); it != conns_.end() && hdr.op != kOpRst) {
      hdr.fwd_cnt = it->second->fwd_cnt();  // the newest count, not the one when queued
      it->second->told_fwd_cnt();
      if (hdr.op == kOpCreditUpdate) it->second->update_queued = false;
    }
    return true;
  }
  if (conns_.empty() || cap == 0) return false;
  // Round robin, so one busy stream cannot starve the others.
  auto it = conns_.lower_bound(rr_next_);
  for (size_t visited = 0; visited < conns_.size(); ++visited, ++it) {
    if (it == conns_.end()) it = conns_.begin();
    const uint64_t k = it->first;
    Connection& c = *it->second;
    if (c.state != Connection::State::Established || !c.readable || c.host_eof || c.guest_shut_rcv) continue;
    const size_t max = std::min<size_t>({cap, c.credit(), kMaxPayload});
    if (max == 0) continue;
    size_t n = 0;
    const Connection::Io r = c.read_from_host(payload, max, n);
    if (r == Connection::Io::Again) continue;
    rr_next_ = k + 1;
    if (r == Connection::Io::Error) {
      hdr = header_for(c, kOpRst);
      ++counters_.resets;
      remove(k, false);
      return true;
    }
    hdr = header_for(c, r == Connection::Io::Done ? kOpRw : kOpShutdown);
    c.told_fwd_cnt();
    if (r == Connection::Io::Done) {
      hdr.len = static_cast<uint32_t>(n);
    } else {  // the host client is done sending; it may still read
      hdr.flags = kShutdownSend;
      c.host_eof = true;
      finish_if_done(k);
    }
    return true;
  }
  return false;
}

}  // namespace vessel::devices::virtio::vsock
