#include "common/event_loop.h"
#include "common/thread_kind.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

namespace vessel {

EventFd::EventFd() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}
EventFd::~EventFd() {
  if (fd_ >= 0) close(fd_);
}
void EventFd::signal() const {
  const uint64_t one = 1;
  (void)!write(fd_, &one, sizeof one);
}
void EventFd::drain() const {
  uint64_t v;
  (void)!read(fd_, &v, sizeof v);
}

EventLoop::EventLoop() : epoll_fd_(epoll_create1(EPOLL_CLOEXEC)), stop_fd_(eventfd(0, EFD_CLOEXEC)) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = stop_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, stop_fd_, &ev);
}

EventLoop::~EventLoop() {
  stop();
  close(epoll_fd_);
  close(stop_fd_);
}

bool EventLoop::add(int fd, Callback callback, uint32_t events) {
  {
    std::lock_guard lock(mutex_);
    callbacks_[fd] = std::make_shared<Callback>(std::move(callback));
  }
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  return epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

void EventLoop::remove(int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  std::lock_guard lock(mutex_);
  callbacks_.erase(fd);
}

void EventLoop::start() {
  std::lock_guard lock(run_mutex_);
  if (!thread_.joinable()) thread_ = std::thread([this] {
    enter_thread_kind(ThreadKind::Io);
    run();
  });
}

bool EventLoop::stop() {
  std::lock_guard lock(run_mutex_);
  if (!thread_.joinable()) return false;
  const uint64_t one = 1;
  (void)!write(stop_fd_, &one, sizeof one);
  thread_.join();
  uint64_t v;
  (void)!read(stop_fd_, &v, sizeof v);  // consumed, so start() can run the loop again (snapshots)
  return true;
}

void EventLoop::run() {
  epoll_event events[32];
  for (;;) {
    const int n = epoll_wait(epoll_fd_, events, 32, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (!dispatch(events, n)) return;
  }
}

int EventLoop::run_ready() {
  epoll_event events[32];
  const int n = epoll_wait(epoll_fd_, events, 32, 0);
  if (n <= 0) return 0;
  dispatch(events, n);
  return n;
}

bool EventLoop::dispatch(const epoll_event* events, int n) {
  for (int i = 0; i < n; ++i) {
    if (events[i].data.fd == stop_fd_) return false;
    std::shared_ptr<Callback> cb;
    {
      std::lock_guard lock(mutex_);
      auto it = callbacks_.find(events[i].data.fd);
      if (it != callbacks_.end()) cb = it->second;
    }
    if (cb) (*cb)(events[i].events);
  }
  return true;
}

}  // namespace vessel
