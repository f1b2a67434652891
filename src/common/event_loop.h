// An epoll-based event loop on its own thread, for device back ends: vCPUs hand work to
// it through eventfds, so a vCPU never blocks on host I/O.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

struct epoll_event;

namespace vessel {

class EventLoop {
 public:
  using Callback = std::function<void(uint32_t events)>;

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Watches fd (EPOLLIN by default); the callback runs on the loop thread.
  bool add(int fd, Callback callback, uint32_t events = 0x001 /* EPOLLIN */);
  void remove(int fd);
  void start();  // no-op if running
  bool stop();   // true if it stopped a running loop
  bool on_loop_thread() const { return std::this_thread::get_id() == thread_.get_id(); }
  // Runs, on the calling thread and without waiting, the callbacks of the fds that are ready
  // now; for a loop that is not started (tests and fuzz targets drive devices this way, one
  // step at a time). Returns how many callbacks ran.
  int run_ready();

 private:
  void run();
  // Runs the callbacks of `n` epoll events; false when one is the stop request.
  bool dispatch(const epoll_event* events, int n);
  int epoll_fd_ = -1;
  int stop_fd_ = -1;
  std::thread thread_;
  std::mutex mutex_;
  std::map<int, std::shared_ptr<Callback>> callbacks_;
  std::mutex run_mutex_;  // start/stop may come from two threads (the VM ending, a snapshot)
};

// An eventfd: one side signals, the loop side drains.
class EventFd {
 public:
  EventFd();
  ~EventFd();
  EventFd(const EventFd&) = delete;
  EventFd& operator=(const EventFd&) = delete;
  int fd() const { return fd_; }
  void signal() const;
  void drain() const;

 private:
  int fd_;
};

}  // namespace vessel
