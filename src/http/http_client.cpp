#include "http/http_client.h"

#include "http/socket_io.h"
#include "http/tls_stream.h"
#include "common/unix_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <algorithm>
#include <cstring>

namespace vessel::http {
namespace {

using Clock = std::chrono::steady_clock;

std::string request_text(const std::string& method, const std::string& path, const std::string& body,
                         const std::string& extra) {
  std::string r = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra;
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
    r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  return r + "Connection: close\r\n\r\n" + body;
}

// Parses the status line and headers in `head` (up to the blank line).
bool parse_head(const std::string& head, int& status, std::string& content_type, long long& length) {
  if (head.rfind("HTTP/1.", 0) != 0 || head.size() < 12) return false;
  status = std::atoi(head.c_str() + 9);
  length = -1;
  size_t pos = head.find("\r\n");
  while (pos != std::string::npos && pos + 2 < head.size()) {
    const size_t eol = head.find("\r\n", pos + 2);
    std::string line = head.substr(pos + 2, eol - pos - 2);
    pos = eol;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value[0] == ' ') value.erase(0, 1);
    if (name == "content-length") length = std::atoll(value.c_str());
    if (name == "content-type") content_type = value;
  }
  return status > 0;
}

// An open connection to a target: a Unix socket, or the plain end of a TLS relay.
struct Connection {
  int fd = -1;
  std::shared_ptr<TlsLinkStatus> tls;
  // Why the server hung up, when TLS says (e.g. it refused our certificate).
  std::string closed_reason(const std::string& plain) const {
    const std::string why = tls ? tls->get() : std::string();
    return why.empty() ? plain : plain + " (" + why + ")";
  }
};

Result<Connection> open_connection(const Target& t, int timeout_ms) {
  if (!t.https()) {
    const int fd = connect_unix(t.socket_path);
    if (fd < 0) return Error{"cannot connect to " + t.socket_path + ": " + strerror(errno)};
    return Connection{fd, nullptr};
  }
  if (!t.tls) return Error{"https needs a client certificate (--tls-dir)"};
  auto s = tls_connect(*t.tls, t.host, t.port, timeout_ms);
  if (!s) return Error{s.error()};
  return Connection{s->fd, s->status};
}

}  // namespace

std::string Target::text() const {
  if (!https()) return socket_path;
  const bool v6 = host.find(':') != std::string::npos;
  return "https://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool is_https_url(const std::string& s) { return s.rfind("https://", 0) == 0; }

Result<Target> https_target(const std::string& url, std::shared_ptr<TlsContext> tls) {
  if (!is_https_url(url)) return Error{"not an https:// address: " + url};
  std::string rest = url.substr(8);
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  Target t;
  t.tls = std::move(tls);
  size_t port_at;
  if (!rest.empty() && rest[0] == '[') {
    const size_t close = rest.find(']');
    if (close == std::string::npos) return Error{"bad address " + url + ": no ']'"};
    t.host = rest.substr(1, close - 1);
    port_at = close + 1;
  } else {
    port_at = rest.find(':');
    t.host = rest.substr(0, port_at);
  }
  if (t.host.empty() || port_at == std::string::npos || port_at >= rest.size() || rest[port_at] != ':')
    return Error{"bad address " + url + ": expected https://HOST:PORT"};
  const std::string port = rest.substr(port_at + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
    return Error{"bad port in " + url + ": expected 1 to 65535"};
  t.port = value;
  return t;
}

int connect_unix(const std::string& path) {
  sockaddr_un addr;
  if (!unix_address(path, addr)) {
    errno = ENAMETOOLONG;
    return -1;
  }
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

Result<ClientResponse> http_request(const std::string& socket_path, const std::string& method,
                                    const std::string& path, const std::string& body,
                                    std::chrono::milliseconds timeout) {
  return http_request(unix_target(socket_path), method, path, body, timeout);
}

Result<ClientResponse> http_request(const Target& target, const std::string& method, const std::string& path,
                                    const std::string& body, std::chrono::milliseconds timeout) {
  auto conn = open_connection(target, static_cast<int>(std::min<long long>(timeout.count(), 30000)));
  if (!conn) return Error{conn.error()};
  const int fd = conn->fd;
  if (!send_all(fd, request_text(method, path, body, {}))) {
    close(fd);
    return Error{"cannot send the request: " + std::string(strerror(errno))};
  }
  const auto deadline = Clock::now() + timeout;
  std::string data;
  char buf[16384];
  ClientResponse r;
  long long length = -1;
  size_t head_end = std::string::npos;
  for (;;) {
    if (head_end == std::string::npos && (head_end = data.find("\r\n\r\n")) != std::string::npos) {
      if (!parse_head(data.substr(0, head_end + 2), r.status, r.content_type, length)) {
        close(fd);
        return Error{"malformed response from the daemon"};
      }
    }
    if (head_end != std::string::npos && length >= 0 && data.size() >= head_end + 4 + static_cast<size_t>(length))
      break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || poll(&p, 1, static_cast<int>(left)) == 0) {
      close(fd);
      return Error{"timed out waiting for the daemon"};
    }
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  if (head_end == std::string::npos)
    return Error{conn->closed_reason("the daemon closed the connection without an answer")};
  r.body = data.substr(head_end + 4, length >= 0 ? static_cast<size_t>(length) : std::string::npos);
  return r;
}

Result<StreamConnection> http_open_stream(const std::string& socket_path, const std::string& method,
                                          const std::string& path, const std::string& extra_headers) {
  return http_open_stream(unix_target(socket_path), method, path, extra_headers);
}

Result<StreamConnection> http_open_stream(const Target& target, const std::string& method, const std::string& path,
                                          const std::string& extra_headers) {
  StreamConnection c;
  auto conn = open_connection(target, 30000);
  if (!conn) return Error{conn.error()};
  c.fd = conn->fd;
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers + "\r\n";
  if (!send_all(c.fd, req)) {
    close(c.fd);
    return Error{"cannot send the request"};
  }
  std::string data;
  char buf[4096];
  size_t head_end;
  while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
    const ssize_t n = recv(c.fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || data.size() > 65536) {
      close(c.fd);
      return Error{conn->closed_reason("the daemon closed the connection without an answer")};
    }
    data.append(buf, static_cast<size_t>(n));
  }
  std::string ct;
  long long length;
  if (!parse_head(data.substr(0, head_end + 2), c.status, ct, length)) {
    close(c.fd);
    return Error{"malformed response from the daemon"};
  }
  c.initial = data.substr(head_end + 4);
  return c;
}

}  // namespace vessel::http
