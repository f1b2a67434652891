#include "vmm/console.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace vessel::vmm {
namespace {
constexpr uint8_t kCtrlA = 0x01;
}

Console::Console() {
  stop_fd_ = eventfd(0, EFD_CLOEXEC);
  if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_) == 0) {
    termios raw = saved_;
    cfmakeraw(&raw);
    raw.c_oflag |= OPOST | ONLCR;  // keep host-side newline handling for our own messages
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) raw_mode_ = true;
  }
}

Console::~Console() {
  if (thread_.joinable()) {
    const uint64_t one = 1;
    (void)!::write(stop_fd_, &one, sizeof one);
    thread_.join();
  }
  if (stop_fd_ >= 0) close(stop_fd_);
  if (raw_mode_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
}

void Console::start(std::function<void()> on_quit) {
  on_quit_ = std::move(on_quit);
  thread_ = std::thread([this] { reader(); });
}

void Console::set_sink(Sink sink) {
  std::lock_guard lock(sink_mutex_);
  sink_ = std::move(sink);
}

void Console::write(const uint8_t* data, size_t len) {
  std::lock_guard lock(write_mutex_);
  while (len > 0) {
    const ssize_t n = ::write(STDOUT_FILENO, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // stdout gone: the guest keeps running, output is dropped
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
}

void Console::deliver(const uint8_t* data, size_t len) {
  while (len > 0) {
    size_t n = 0;
    {
      std::lock_guard lock(sink_mutex_);
      if (sink_) n = sink_(data, len);
    }
    data += n;
    len -= n;
    if (len == 0) break;
    // The guest's receive buffer is full: wait for it to drain (or for shutdown).
    pollfd p{stop_fd_, POLLIN, 0};
    if (poll(&p, 1, 5) > 0) return;
  }
}

void Console::reader() {
  bool escape = false;
  uint8_t buf[256];
  for (;;) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    if (!(fds[0].revents & (POLLIN | POLLHUP))) continue;
    const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      // End of input (a pipe closed): the guest keeps running without a keyboard.
      pollfd p{stop_fd_, POLLIN, 0};
      poll(&p, 1, -1);
      return;
    }
    if (!raw_mode_) {
      deliver(buf, static_cast<size_t>(n));
      continue;
    }
    std::vector<uint8_t> out;
    for (ssize_t i = 0; i < n; ++i) {
      const uint8_t c = buf[i];
      if (escape) {
        escape = false;
        if (c == 'x' || c == 'X') {
          if (on_quit_) on_quit_();
          return;
        }
        if (c == kCtrlA) out.push_back(c);
        continue;
      }
      if (c == kCtrlA) {
        escape = true;
        continue;
      }
      out.push_back(c);
    }
    deliver(out.data(), out.size());
  }
}

}  // namespace vessel::vmm
