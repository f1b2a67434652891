// The host side of the guest console: stdout for output; stdin read by a thread and
// handed to the guest. When stdin is a terminal it is put in raw mode (restored on every
// exit path) and Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A, as in QEMU.
#pragma once
#include <termios.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace vessel::vmm {

class Console {
 public:
  // Delivers input to the guest; returns how many bytes it accepted (0 = full, retry later).
  using Sink = std::function<size_t(const uint8_t*, size_t)>;

  Console();
  ~Console();
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;

  void start(std::function<void()> on_quit);
  void set_sink(Sink sink);
  void write(const uint8_t* data, size_t len);
  bool interactive() const { return raw_mode_; }

 private:
  void reader();
  void deliver(const uint8_t* data, size_t len);

  bool raw_mode_ = false;
  termios saved_{};
  int stop_fd_ = -1;  // eventfd that ends the reader thread
  std::thread thread_;
  std::mutex sink_mutex_;
  Sink sink_;
  std::function<void()> on_quit_;
  std::mutex write_mutex_;
};

}  // namespace vessel::vmm
