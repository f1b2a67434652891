#include "net/slirp_backend.h"

#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <ctime>

#include "common/log.h"

namespace vessel::net {
namespace {

in_addr ipv4(const char* text) {
  in_addr a{};
  inet_pton(AF_INET, text, &a);
  return a;
}

int64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

short to_poll(int slirp_events) {
  short e = 0;
  if (slirp_events & SLIRP_POLL_IN) e |= POLLIN;
  if (slirp_events & SLIRP_POLL_OUT) e |= POLLOUT;
  if (slirp_events & SLIRP_POLL_PRI) e |= POLLPRI;
  return e;
}

int from_poll(short revents) {
  int e = 0;
  if (revents & POLLIN) e |= SLIRP_POLL_IN;
  if (revents & POLLOUT) e |= SLIRP_POLL_OUT;
  if (revents & POLLPRI) e |= SLIRP_POLL_PRI;
  if (revents & POLLERR) e |= SLIRP_POLL_ERR;
  if (revents & POLLHUP) e |= SLIRP_POLL_HUP;
  return e;
}

std::string endpoint(in_addr a, uint16_t port) {
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return std::string(buf) + ":" + std::to_string(port);
}

}  // namespace

const SlirpCb SlirpBackend::kCallbacks = {
    .send_packet = &SlirpBackend::cb_send_packet,
    .guest_error = &SlirpBackend::cb_guest_error,
    .clock_get_ns = &SlirpBackend::cb_clock_get_ns,
    .timer_new = nullptr,
    .timer_free = &SlirpBackend::cb_timer_free,
    .timer_mod = &SlirpBackend::cb_timer_mod,
    .register_poll_fd = &SlirpBackend::cb_register_poll_fd,
    .unregister_poll_fd = &SlirpBackend::cb_unregister_poll_fd,
    .notify = &SlirpBackend::cb_notify,
    .init_completed = nullptr,
    .timer_new_opaque = &SlirpBackend::cb_timer_new_opaque,
};

Result<std::unique_ptr<SlirpBackend>> SlirpBackend::create(EventLoop& loop, const SlirpOptions& options) {
  std::unique_ptr<SlirpBackend> b(new SlirpBackend(loop));
  std::string error;
  if (!b->start(options, error)) return Error{"--net user: " + error};
  return b;
}

bool SlirpBackend::start(const SlirpOptions& options, std::string& error) {
  SlirpConfig cfg{};
  cfg.version = 4;  // timer_new_opaque
  cfg.in_enabled = true;
  cfg.vnetwork = ipv4("10.0.2.0");
  cfg.vnetmask = ipv4("255.255.255.0");
  cfg.vhost = ipv4("10.0.2.2");
  cfg.vdhcp_start = ipv4("10.0.2.15");
  cfg.vnameserver = ipv4("10.0.2.3");
  cfg.vhostname = "vessel";
  cfg.disable_host_loopback = false;  // 10.0.2.2 reaches the host's 127.0.0.1
  slirp_ = slirp_new(&cfg, &kCallbacks, this);
  if (!slirp_) return error = "libslirp failed to initialise", false;

  for (const HostForward& f : options.hostfwds) {
    const in_addr guest = f.guest_addr.s_addr ? f.guest_addr : cfg.vdhcp_start;
    if (slirp_add_hostfwd(slirp_, f.udp, f.host_addr, f.host_port, guest, f.guest_port) < 0) {
      error = std::string("hostfwd ") + (f.udp ? "udp " : "tcp ") + endpoint(f.host_addr, f.host_port) +
              ": cannot listen there (port in use or address not local?)";
      return false;
    }
  }

  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  if (epoll_fd_ < 0 || timer_fd_ < 0) return error = "out of file descriptors", false;
  if (!loop_.add(epoll_fd_, [this](uint32_t) { cycle(); }) ||
      !loop_.add(timer_fd_, [this](uint32_t) {
        uint64_t expirations;
        (void)!read(timer_fd_, &expirations, sizeof expirations);
        cycle();
      }))
    return error = "cannot watch slirp's descriptors", false;
  registered_ = true;
  sync();
  return true;
}

SlirpBackend::~SlirpBackend() {
  if (registered_) {
    loop_.remove(epoll_fd_);
    loop_.remove(timer_fd_);
  }
  if (slirp_) slirp_cleanup(slirp_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (timer_fd_ >= 0) close(timer_fd_);
}

bool SlirpBackend::send(const uint8_t* frame, size_t len) {
  if (len > kMaxFrame) return false;
  slirp_input(slirp_, frame, static_cast<int>(len));
  sync();  // the frame may have opened a connection or filled a socket buffer
  return true;
}

void SlirpBackend::cycle() {
  pollfds_.clear();
  poll_timeout_ms_ = UINT32_MAX;
  slirp_pollfds_fill(slirp_, &poll_timeout_ms_, &cb_add_poll, this);
  int error = 0;
  if (!pollfds_.empty() && poll(pollfds_.data(), pollfds_.size(), 0) < 0) error = 1;
  // Also runs slirp's TCP timers when they are due.
  slirp_pollfds_poll(slirp_, error, &cb_get_revents, this);
  run_due_timers();
  sync();
}

void SlirpBackend::sync() {
  pollfds_.clear();
  poll_timeout_ms_ = UINT32_MAX;
  slirp_pollfds_fill(slirp_, &poll_timeout_ms_, &cb_add_poll, this);

  std::map<int, uint32_t> want;
  for (const pollfd& p : pollfds_) {
    uint32_t e = 0;
    if (p.events & POLLIN) e |= EPOLLIN;
    if (p.events & POLLOUT) e |= EPOLLOUT;
    if (p.events & POLLPRI) e |= EPOLLPRI;
    want[p.fd] |= e;
  }
  for (auto it = watched_.begin(); it != watched_.end();) {
    if (!want.count(it->first)) {
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->first, nullptr);  // fails harmlessly if already closed
      it = watched_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [fd, events] : want) {
    auto it = watched_.find(fd);
    if (it != watched_.end() && it->second == events) continue;
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    // A closed and reused fd number may still be known to us but no longer to epoll.
    if (it == watched_.end() || epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) != 0)
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    watched_[fd] = events;
  }

  // Next deadline: slirp's own timers, and its TCP timers while any are pending (slirp reports
  // 1000 ms when nothing is pending; then an idle VM takes no wake-ups from us).
  int64_t deadline_ms = -1;
  const int64_t now_ms = monotonic_ns() / 1000000;
  if (poll_timeout_ms_ < 1000) deadline_ms = now_ms + poll_timeout_ms_;
  for (const auto& t : timers_)
    if (t->expire_ms >= 0 && (deadline_ms < 0 || t->expire_ms < deadline_ms)) deadline_ms = t->expire_ms;
  itimerspec its{};
  if (deadline_ms >= 0) {
    const int64_t at = std::max<int64_t>(deadline_ms, 1);
    its.it_value.tv_sec = at / 1000;
    its.it_value.tv_nsec = (at % 1000) * 1000000;
  }
  timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &its, nullptr);
}

void SlirpBackend::run_due_timers() {
  const int64_t now_ms = monotonic_ns() / 1000000;
  // A handler may re-arm or free timers: collect first, then fire.
  std::vector<Timer*> due;
  for (const auto& t : timers_)
    if (t->expire_ms >= 0 && t->expire_ms <= now_ms) due.push_back(t.get());
  for (Timer* t : due) {
    t->expire_ms = -1;
    slirp_handle_timer(slirp_, t->id, t->cb_opaque);
  }
}

ssize_t SlirpBackend::cb_send_packet(const void* buf, size_t len, void* opaque) {
  auto* self = static_cast<SlirpBackend*>(opaque);
  if (self->receiver_) self->receiver_(static_cast<const uint8_t*>(buf), len);
  return static_cast<ssize_t>(len);
}

void SlirpBackend::cb_guest_error(const char* msg, void*) { LOG_DEBUG("slirp: guest error: %s", msg); }

int64_t SlirpBackend::cb_clock_get_ns(void*) { return monotonic_ns(); }

void* SlirpBackend::cb_timer_new_opaque(SlirpTimerId id, void* cb_opaque, void* opaque) {
  auto* self = static_cast<SlirpBackend*>(opaque);
  self->timers_.push_back(std::make_unique<Timer>(Timer{id, cb_opaque, -1}));
  return self->timers_.back().get();
}

void SlirpBackend::cb_timer_free(void* timer, void* opaque) {
  auto& timers = static_cast<SlirpBackend*>(opaque)->timers_;
  std::erase_if(timers, [timer](const auto& t) { return t.get() == timer; });
}

void SlirpBackend::cb_timer_mod(void* timer, int64_t expire_ms, void*) {
  static_cast<Timer*>(timer)->expire_ms = std::max<int64_t>(expire_ms, 0);
}

int SlirpBackend::cb_add_poll(int fd, int events, void* opaque) {
  auto& fds = static_cast<SlirpBackend*>(opaque)->pollfds_;
  fds.push_back(pollfd{fd, to_poll(events), 0});
  return static_cast<int>(fds.size() - 1);
}

int SlirpBackend::cb_get_revents(int idx, void* opaque) {
  const auto& fds = static_cast<SlirpBackend*>(opaque)->pollfds_;
  if (idx < 0 || static_cast<size_t>(idx) >= fds.size()) return 0;
  return from_poll(fds[static_cast<size_t>(idx)].revents);
}

}  // namespace vessel::net
