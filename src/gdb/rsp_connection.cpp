#include "gdb/rsp_connection.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace vessel::gdb {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

RspConnection::~RspConnection() {
  if (fd_ >= 0) close(fd_);
}

bool RspConnection::fill(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  const int r = poll(&p, 1, timeout_ms);
  if (r <= 0) return r == 0 || errno == EINTR;
  char tmp[4096];
  const ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
  if (n <= 0) {
    eof_ = true;
    return false;
  }
  buf_.append(tmp, static_cast<size_t>(n));
  return true;
}

std::optional<std::string> RspConnection::read_packet() {
  for (;;) {
    // Skip acknowledgements and noise up to a packet start or an interrupt.
    size_t start = buf_.find_first_of("$\x03");
    if (start != std::string::npos && buf_[start] == '\x03') {
      buf_.erase(0, start + 1);
      return std::string("\x03");
    }
    if (start != std::string::npos) {
      const size_t hash = buf_.find('#', start);
      if (hash != std::string::npos && buf_.size() >= hash + 3) {
        const std::string raw = buf_.substr(start + 1, hash - start - 1);
        const int hi = hex_value(buf_[hash + 1]), lo = hex_value(buf_[hash + 2]);
        buf_.erase(0, hash + 3);
        unsigned sum = 0;
        for (unsigned char c : raw) sum += c;
        const bool good = hi >= 0 && lo >= 0 && static_cast<unsigned>(hi * 16 + lo) == (sum & 0xff);
        if (!no_ack_) (void)!send(fd_, good ? "+" : "-", 1, MSG_NOSIGNAL);
        if (!good) continue;  // the client sends it again
        std::string payload;
        for (size_t i = 0; i < raw.size(); ++i) payload += raw[i] == '}' && i + 1 < raw.size() ? static_cast<char>(raw[++i] ^ 0x20) : raw[i];
        return payload;
      }
    } else {
      buf_.clear();
    }
    if (eof_ || !fill(-1)) return std::nullopt;
  }
}

bool RspConnection::send_packet(const std::string& payload) {
  std::string out = "$";
  unsigned sum = 0;
  for (unsigned char c : payload) {
    if (c == '$' || c == '#' || c == '}' || c == '*') {
      out += '}';
      out += static_cast<char>(c ^ 0x20);
      sum += '}' + (c ^ 0x20);
    } else {
      out += static_cast<char>(c);
      sum += c;
    }
  }
  char tail[4];
  snprintf(tail, sizeof tail, "#%02x", sum & 0xff);
  out += tail;
  for (int attempt = 0; attempt < 5; ++attempt) {
    for (size_t off = 0; off < out.size();) {
      const ssize_t n = send(fd_, out.data() + off, out.size() - off, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    if (no_ack_) return true;
    // Wait for its '+' (a '-' asks for the packet again).
    for (;;) {
      const size_t ack = buf_.find_first_of("+-");
      if (ack != std::string::npos && buf_.find('$') > ack) {
        const char c = buf_[ack];
        buf_.erase(0, ack + 1);
        if (c == '+') return true;
        break;
      }
      if (eof_ || !fill(-1)) return false;
    }
  }
  return false;
}

bool RspConnection::interrupt_pending() {
  // While the target runs the client sends nothing but Ctrl-C.
  fill(0);
  const size_t at = buf_.find('\x03');
  if (at == std::string::npos) return eof_;  // a client that went away stops the target too
  buf_.erase(at, 1);
  return true;
}

int listen_gdb(const std::string& spec, std::string& error) {
  int listener = -1;
  if (spec.rfind("unix:", 0) == 0) {
    const std::string path = spec.substr(5);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof addr.sun_path) {
      error = "bad unix socket path in --gdb " + spec;
      return -1;
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    unlink(path.c_str());
    listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0 || bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener, 1) != 0) {
      error = "cannot listen on " + path + ": " + strerror(errno);
      if (listener >= 0) close(listener);
      return -1;
    }
  } else if (spec.rfind("tcp:", 0) == 0) {
    const std::string rest = spec.substr(4);
    const size_t colon = rest.rfind(':');
    if (colon == std::string::npos) {
      error = "--gdb tcp: wants HOST:PORT, not " + rest;
      return -1;
    }
    const std::string host = colon == 0 ? "127.0.0.1" : rest.substr(0, colon), port = rest.substr(colon + 1);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0 || !found) {
      error = "--gdb: cannot resolve " + rest;
      return -1;
    }
    listener = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const bool ok = listener >= 0 && bind(listener, found->ai_addr, found->ai_addrlen) == 0 && listen(listener, 1) == 0;
    freeaddrinfo(found);
    if (!ok) {
      error = "cannot listen on " + rest + ": " + strerror(errno);
      if (listener >= 0) close(listener);
      return -1;
    }
  } else {
    error = "--gdb takes tcp:HOST:PORT or unix:PATH, not " + spec;
    return -1;
  }
  fprintf(stderr, "vessel: gdb can connect on %s\n", spec.c_str());
  return listener;
}

int accept_gdb(int listener, int stop_fd) {
  pollfd fds[2] = {{listener, POLLIN, 0}, {stop_fd, POLLIN, 0}};
  while (poll(fds, stop_fd >= 0 ? 2 : 1, -1) < 0)
    if (errno != EINTR) break;
  const int client = (fds[0].revents & POLLIN) ? accept4(listener, nullptr, nullptr, SOCK_CLOEXEC) : -1;
  if (client >= 0) {
    const int one = 1;
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // fails harmlessly on Unix sockets
  }
  return client;
}

int accept_gdb_client(const std::string& spec, std::string& error) {
  const int listener = listen_gdb(spec, error);
  if (listener < 0) return -1;
  const int client = accept_gdb(listener);
  if (client < 0) error = std::string("accept: ") + strerror(errno);
  close(listener);
  return client;
}

}  // namespace vessel::gdb
