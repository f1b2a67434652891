// The host side of the guest console.
//  - Terminal mode (`vessel run`): stdout for output; stdin read by a thread and handed to the
//    guest. When stdin is a terminal it is put in raw mode (restored on every exit path) and
//    Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A, as in QEMU.
//  - Headless mode (`vessel-vmm` under vesseld): no stdio at all.
// In both modes the most recent output is kept in a ring buffer, and listen() serves
// "console attach" on a Unix socket: a client first receives that history, then live output,
// and whatever it sends is typed to the guest. Output never waits for attached clients: a
// client that falls behind by more than the ring skips ahead.
#pragma once
#include <termios.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"

namespace vessel::vmm {

class Console {
 public:
  // Delivers input to the guest; returns how many bytes it accepted (0 = full, retry later).
  using Sink = std::function<size_t(const uint8_t*, size_t)>;
  struct Options {
    bool use_stdio = true;
    size_t history_bytes = 64 * 1024;
  };

  Console() : Console(Options{}) {}
  explicit Console(Options options);
  ~Console();
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;

  void start(std::function<void()> on_quit);
  void set_sink(Sink sink);
  void write(const uint8_t* data, size_t len);
  bool interactive() const { return raw_mode_; }

  // Serves console attach on `path` (replacing a stale socket file).
  Result<bool> listen(const std::string& path);
  // The recent output, oldest first (at most Options::history_bytes).
  std::string history();
  // Puts output made elsewhere (the source of a live migration) into the history, without
  // printing it: console attach then shows it as if it had been made here.
  void seed_history(const std::string& text);
  // Types bytes to the guest (blocks while the guest's receive buffer is full).
  void input(const uint8_t* data, size_t len) { deliver(data, len); }

 private:
  struct Client {
    int fd = -1, wake_fd = -1;
    std::thread thread;
    std::atomic<bool> done{false};
  };

  void reader();
  void deliver(const uint8_t* data, size_t len);
  void record(const uint8_t* data, size_t len);
  void write_stdout(const uint8_t* data, size_t len);
  void accept_loop();
  void serve_client(Client& c);
  // Copies output from absolute position `from` (clipped to the ring); returns the new position.
  uint64_t copy_since(uint64_t from, std::string& out);

  Options options_;
  bool raw_mode_ = false;
  termios saved_{};
  int stop_fd_ = -1;  // eventfd that ends every thread of this console
  std::thread thread_;
  std::mutex sink_mutex_;
  Sink sink_;
  std::function<void()> on_quit_;
  std::mutex write_mutex_;

  std::mutex history_mutex_;
  std::vector<uint8_t> ring_;
  uint64_t written_ = 0;  // total bytes of output ever written

  std::string listen_path_;
  int listen_fd_ = -1;
  std::thread accept_thread_;
  std::mutex clients_mutex_;
  std::list<std::unique_ptr<Client>> clients_;
};

}  // namespace vessel::vmm
