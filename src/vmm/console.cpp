#include "vmm/console.h"
#include "common/thread_kind.h"

#include "common/unix_socket.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <thread>

namespace vessel::vmm {
namespace {
constexpr uint8_t kCtrlA = 0x01;

bool write_all(int fd, const char* data, size_t len) {
  while (len > 0) {
    const ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

void signal_eventfd(int fd) {
  const uint64_t one = 1;
  (void)!::write(fd, &one, sizeof one);
}
}  // namespace

Console::Console(Options options) : options_(options), ring_(std::max<size_t>(options.history_bytes, 1)) {
  stop_fd_ = eventfd(0, EFD_CLOEXEC);
  if (options_.use_stdio && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_) == 0) {
    termios raw = saved_;
    cfmakeraw(&raw);
    raw.c_oflag |= OPOST | ONLCR;  // keep host-side newline handling for our own messages
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) raw_mode_ = true;
  }
}

Console::~Console() {
  signal_eventfd(stop_fd_);  // never read: every thread polling it sees it from now on
  if (thread_.joinable()) thread_.join();
  if (accept_thread_.joinable()) accept_thread_.join();
  {
    std::lock_guard lock(clients_mutex_);
    // Each client's thread sends what the guest wrote last, then ends. One whose client
    // stopped reading stays blocked in send(): after a grace period its connection is shut
    // down, so that the VMM can exit.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    for (auto& c : clients_)
      while (!c->done && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    for (auto& c : clients_) {
      if (!c->done) shutdown(c->fd, SHUT_RDWR);
      if (c->thread.joinable()) c->thread.join();
      close(c->fd);
      close(c->wake_fd);
    }
  }
  if (listen_fd_ >= 0) {
    close(listen_fd_);
    unlink(listen_path_.c_str());
  }
  if (stop_fd_ >= 0) close(stop_fd_);
  if (raw_mode_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
}

void Console::start(std::function<void()> on_quit) {
  on_quit_ = std::move(on_quit);
  if (options_.use_stdio) thread_ = std::thread([this] {
    enter_thread_kind(ThreadKind::Console);
    reader();
  });
}

void Console::set_sink(Sink sink) {
  std::lock_guard lock(sink_mutex_);
  sink_ = std::move(sink);
}

void Console::seed_history(const std::string& text) {
  record(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

void Console::write(const uint8_t* data, size_t len) {
  record(data, len);
  {
    std::lock_guard lock(clients_mutex_);
    for (auto& c : clients_)
      if (!c->done) signal_eventfd(c->wake_fd);
  }
  if (!options_.use_stdio) return;
  write_stdout(data, len);
}

void Console::record(const uint8_t* data, size_t len) {
  {
    std::lock_guard lock(history_mutex_);
    const size_t cap = ring_.size();
    const uint8_t* p = data;
    size_t n = len;
    if (n > cap) {  // only the tail can survive
      p += n - cap;
      written_ += n - cap;
      n = cap;
    }
    const size_t at = written_ % cap;
    const size_t first = std::min(n, cap - at);
    memcpy(ring_.data() + at, p, first);
    memcpy(ring_.data(), p + first, n - first);
    written_ += n;
  }
}

void Console::write_stdout(const uint8_t* data, size_t len) {
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

uint64_t Console::copy_since(uint64_t from, std::string& out) {
  std::lock_guard lock(history_mutex_);
  const size_t cap = ring_.size();
  if (written_ > cap && from < written_ - cap) from = written_ - cap;
  for (uint64_t pos = from; pos < written_;) {
    const size_t at = pos % cap;
    const size_t n = std::min<uint64_t>(written_ - pos, cap - at);
    out.append(reinterpret_cast<const char*>(ring_.data() + at), n);
    pos += n;
  }
  return written_;
}

std::string Console::history() {
  std::string out;
  copy_since(0, out);
  return out;
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

Result<bool> Console::listen(const std::string& path) {
  auto fd = listen_unix(path, 16);
  if (!fd) return Error{fd.error()};
  listen_fd_ = fd.value();
  listen_path_ = path;
  accept_thread_ = std::thread([this] {
    enter_thread_kind(ThreadKind::Console);
    accept_loop();
  });
  return true;
}

void Console::accept_loop() {
  for (int fd; (fd = accept_or_stop(listen_fd_, stop_fd_)) >= 0;) {
    std::lock_guard lock(clients_mutex_);
    // Forget clients that went away.
    for (auto it = clients_.begin(); it != clients_.end();) {
      if ((*it)->done) {
        (*it)->thread.join();
        close((*it)->fd);
        close((*it)->wake_fd);
        it = clients_.erase(it);
      } else {
        ++it;
      }
    }
    auto c = std::make_unique<Client>();
    c->fd = fd;
    c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    Client* raw = c.get();
    c->thread = std::thread([this, raw] {
      enter_thread_kind(ThreadKind::Console);
      serve_client(*raw);
      shutdown(raw->fd, SHUT_RDWR);
      raw->done = true;
    });
    clients_.push_back(std::move(c));
  }
}

void Console::serve_client(Client& c) {
  uint64_t pos = 0;  // history first
  uint8_t buf[512];
  for (;;) {
    std::string out;
    pos = copy_since(pos, out);
    if (!out.empty() && !write_all(c.fd, out.data(), out.size())) return;
    pollfd fds[3] = {{c.fd, POLLIN, 0}, {c.wake_fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[2].revents) {  // the VM has ended: its last output, then goodbye
      out.clear();
      copy_since(pos, out);
      write_all(c.fd, out.data(), out.size());
      return;
    }
    if (fds[1].revents) {
      uint64_t v;
      (void)!read(c.wake_fd, &v, sizeof v);
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = read(c.fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      deliver(buf, static_cast<size_t>(n));
    }
  }
}

}  // namespace vessel::vmm
