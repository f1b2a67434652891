// A minimal HTTP/1.1 client over a Unix socket, for the CLI and the tests: one request per
// connection, Content-Length or read-to-close bodies.
#pragma once
#include <chrono>
#include <string>

#include "common/result.h"

namespace vessel::http {

struct ClientResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

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
Result<StreamConnection> http_open_stream(const std::string& socket_path, const std::string& method,
                                          const std::string& path, const std::string& extra_headers = {});

// Connects to a Unix stream socket (CLOEXEC); -1 with errno on failure.
int connect_unix(const std::string& path);

}  // namespace vessel::http
