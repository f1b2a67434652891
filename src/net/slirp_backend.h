// User-mode networking through libslirp: the guest sits behind a NAT on 10.0.2.0/24 with the
// gateway and host at 10.0.2.2 (which reaches the host's 127.0.0.1), DNS at 10.0.2.3 and DHCP
// handing out 10.0.2.15; hostfwd rules forward host ports into the guest. No privileges needed.
//
// libslirp is single-threaded: every call into it happens on the I/O thread (after creation).
// Its sockets come and go with the guest's connections, so they are watched through a private
// epoll set whose fd sits on the VM's EventLoop; slirp's timers run from a timerfd.
#pragma once
#include <poll.h>
#include <slirp/libslirp.h>

#include <map>
#include <memory>
#include <vector>

#include "common/event_loop.h"
#include "common/result.h"
#include "net/hostfwd.h"
#include "net/net_backend.h"

namespace vessel::net {

struct SlirpOptions {
  std::vector<HostForward> hostfwds;
};

class SlirpBackend : public NetBackend {
 public:
  // Binds the hostfwd ports now, so that a port in use is reported before the VM starts.
  static Result<std::unique_ptr<SlirpBackend>> create(EventLoop& loop, const SlirpOptions& options);
  ~SlirpBackend() override;
  SlirpBackend(const SlirpBackend&) = delete;
  SlirpBackend& operator=(const SlirpBackend&) = delete;

  const char* kind() const override { return "user"; }
  void set_receiver(Receiver receiver) override { receiver_ = std::move(receiver); }
  bool send(const uint8_t* frame, size_t len) override;
  bool takes_large_frames() const override { return true; }  // slirp's IP input takes up to 64 KiB

 private:
  struct Timer {
    SlirpTimerId id;
    void* cb_opaque;
    int64_t expire_ms = -1;  // -1: not armed
  };

  explicit SlirpBackend(EventLoop& loop) : loop_(loop) {}
  bool start(const SlirpOptions& options, std::string& error);
  void cycle();  // let slirp handle its ready sockets and due timers
  void sync();   // watch what slirp now wants watched; arm the timer for its next deadline
  void run_due_timers();

  // libslirp callbacks (opaque is this).
  static const SlirpCb kCallbacks;
  static ssize_t cb_send_packet(const void* buf, size_t len, void* opaque);
  static void cb_guest_error(const char* msg, void* opaque);
  static int64_t cb_clock_get_ns(void* opaque);
  static void* cb_timer_new_opaque(SlirpTimerId id, void* cb_opaque, void* opaque);
  static void cb_timer_free(void* timer, void* opaque);
  static void cb_timer_mod(void* timer, int64_t expire_ms, void* opaque);
  static void cb_register_poll_fd(int, void*) {}
  static void cb_unregister_poll_fd(int, void*) {}
  static void cb_notify(void*) {}  // nothing to wake: every slirp call is already on the loop thread
  static int cb_add_poll(int fd, int events, void* opaque);
  static int cb_get_revents(int idx, void* opaque);

  EventLoop& loop_;
  Slirp* slirp_ = nullptr;
  int epoll_fd_ = -1;  // slirp's sockets
  int timer_fd_ = -1;
  bool registered_ = false;
  std::map<int, uint32_t> watched_;  // fd -> epoll events in epoll_fd_
  std::vector<pollfd> pollfds_;      // from the last slirp_pollfds_fill
  uint32_t poll_timeout_ms_ = 0;
  std::vector<std::unique_ptr<Timer>> timers_;
  Receiver receiver_;
};

}  // namespace vessel::net
