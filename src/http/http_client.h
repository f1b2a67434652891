// A minimal HTTP/1.1 client over a Unix socket or HTTPS with a client certificate, for the
// CLI, the tests and daemon-to-daemon calls: one request per connection, Content-Length or
// read-to-close bodies.
#pragma once
#include <chrono>
#include <memory>
#include <string>

#include "common/result.h"
#include "http/tls_context.h"

namespace vessel::http {

struct ClientResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

// Where an API is: a Unix socket, or https://HOST:PORT reached with a client TLS context.
struct Target {
  std::string socket_path;  // Unix
  std::string host;         // HTTPS: a name or a numeric address (IPv6 without brackets)
  unsigned port = 0;
  std::shared_ptr<TlsContext> tls;
  bool https() const { return !host.empty(); }
  std::string text() const;  // the socket path, or https://HOST:PORT
};
inline Target unix_target(const std::string& path) { return Target{path, {}, 0, nullptr}; }
// True for "https://..." (whether or not it parses).
bool is_https_url(const std::string& s);
// "https://HOST:PORT" (HOST a name, an IPv4 address or [IPv6]); `tls` must be a client context.
Result<Target> https_target(const std::string& url, std::shared_ptr<TlsContext> tls);

Result<ClientResponse> http_request(const Target& target, const std::string& method, const std::string& path,
                                    const std::string& body = {},
                                    std::chrono::milliseconds timeout = std::chrono::seconds(120));
Result<ClientResponse> http_request(const std::string& socket_path, const std::string& method,
                                    const std::string& path, const std::string& body = {},
                                    std::chrono::milliseconds timeout = std::chrono::seconds(120));

// Opens a connection and sends a request whose response is a stream (console attach):
// returns the connected fd positioned after the response head, and the status.
struct StreamConnection {
  int fd = -1;
  int status = 0;
  std::string initial;  // body bytes already read with the head
};
Result<StreamConnection> http_open_stream(const Target& target, const std::string& method, const std::string& path,
                                          const std::string& extra_headers = {});
Result<StreamConnection> http_open_stream(const std::string& socket_path, const std::string& method,
                                          const std::string& path, const std::string& extra_headers = {});

// Connects to a Unix stream socket (CLOEXEC); -1 with errno on failure.
int connect_unix(const std::string& path);

}  // namespace vessel::http
