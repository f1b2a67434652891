// Turns SIGINT/SIGTERM/SIGHUP into a callback on a dedicated thread, so vCPU threads are
// never interrupted and shutdown runs normal destructors (terminal restored, files closed).
// Construct it before starting any other thread: it blocks the signals for the process.
#pragma once
#include <functional>
#include <thread>

namespace vessel::vmm {

class SignalWatch {
 public:
  explicit SignalWatch(std::function<void(int signo)> on_signal);
  ~SignalWatch();
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;

 private:
  std::function<void(int)> on_signal_;
  int signal_fd_ = -1, stop_fd_ = -1;
  std::thread thread_;
};

}  // namespace vessel::vmm
