#include "migration/endpoint.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/unix_socket.h"

namespace vessel::migration {
namespace {

std::string errno_text() { return strerror(errno); }

// TCP_NODELAY for the small handshake records; large page records fill segments anyway.
void tune(int fd) {
  const int one = 1;
  (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // fails harmlessly on Unix sockets
}

}  // namespace

Result<Endpoint> parse_endpoint(const std::string& spec) {
  Endpoint e;
  e.text = spec;
  if (spec.rfind("unix:", 0) == 0) {
    e.kind = Endpoint::Kind::Unix;
    e.path = spec.substr(5);
    sockaddr_un probe{};
    if (e.path.empty() || !unix_address(e.path, probe))
      return Error{"bad migration address '" + spec + "': unix:PATH needs a path shorter than " +
                   std::to_string(sizeof probe.sun_path) + " bytes"};
    return e;
  }
  if (spec.rfind("tcp:", 0) == 0) {
    const std::string rest = spec.substr(4);
    const size_t colon = rest.rfind(':');
    if (colon == std::string::npos) return Error{"bad migration address '" + spec + "': expected tcp:HOST:PORT"};
    e.host = rest.substr(0, colon);
    if (e.host.size() >= 2 && e.host.front() == '[' && e.host.back() == ']') e.host = e.host.substr(1, e.host.size() - 2);
    e.port = rest.substr(colon + 1);
    char* end = nullptr;
    const long port = strtol(e.port.c_str(), &end, 10);
    if (e.port.empty() || *end || port <= 0 || port > 65535)
      return Error{"bad migration address '" + spec + "': port must be 1 to 65535"};
    return e;
  }
  return Error{"bad migration address '" + spec + "': expected tcp:HOST:PORT or unix:PATH"};
}

Result<int> listen_endpoint(const Endpoint& e) {
  if (e.kind == Endpoint::Kind::Unix) {
    auto fd = listen_unix(e.path, 1);
    if (!fd) return Error{"cannot listen for a migration on " + e.text + ": " + fd.error()};
    return fd.value();
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(e.host.empty() ? nullptr : e.host.c_str(), e.port.c_str(), &hints, &found); rc != 0)
    return Error{"cannot resolve " + e.text + ": " + gai_strerror(rc)};
  const int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  if (fd >= 0) (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const bool ok = fd >= 0 && bind(fd, found->ai_addr, found->ai_addrlen) == 0 && listen(fd, 1) == 0;
  const std::string why = errno_text();
  freeaddrinfo(found);
  if (!ok) {
    if (fd >= 0) close(fd);
    return Error{"cannot listen for a migration on " + e.text + ": " + why};
  }
  return fd;
}

Result<int> accept_connection(int listener, int timeout_ms, int stop_fd) {
  pollfd fds[2] = {{listener, POLLIN, 0}, {stop_fd, POLLIN, 0}};
  for (;;) {
    const int n = poll(fds, stop_fd >= 0 ? 2 : 1, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{"waiting for the migration stream: " + errno_text()};
    if (n == 0) return Error{"no migration stream arrived in time"};
    if (stop_fd >= 0 && fds[1].revents) return Error{"stopped while waiting for the migration stream"};
    const int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return Error{"accepting the migration stream: " + errno_text()};
    tune(fd);
    return fd;
  }
}

Result<int> connect_endpoint(const Endpoint& e, int timeout_ms) {
  auto finish = [&](int fd, const sockaddr* addr, socklen_t len) -> Result<int> {
    // Non-blocking connect, so an address that drops SYNs fails within the timeout.
    const int flags = fcntl(fd, F_GETFL);
    (void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int rc = connect(fd, addr, len);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = poll(&p, 1, timeout_ms);
      if (rc == 0) {
        close(fd);
        return Error{"cannot connect to " + e.text + ": timed out"};
      }
      int err = 0;
      socklen_t el = sizeof err;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
      errno = err;
      rc = err ? -1 : 0;
    }
    if (rc != 0) {
      const std::string why = errno_text();
      close(fd);
      return Error{"cannot connect to " + e.text + ": " + why};
    }
    (void)fcntl(fd, F_SETFL, flags);
    tune(fd);
    return fd;
  };
  if (e.kind == Endpoint::Kind::Unix) {
    sockaddr_un addr{};
    if (!unix_address(e.path, addr)) return Error{"bad unix socket path " + e.path};
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return Error{"socket: " + errno_text()};
    return finish(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(e.host.empty() ? "127.0.0.1" : e.host.c_str(), e.port.c_str(), &hints, &found); rc != 0)
    return Error{"cannot resolve " + e.text + ": " + gai_strerror(rc)};
  const int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    freeaddrinfo(found);
    return Error{"socket: " + errno_text()};
  }
  auto r = finish(fd, found->ai_addr, found->ai_addrlen);
  freeaddrinfo(found);
  return r;
}

}  // namespace vessel::migration
