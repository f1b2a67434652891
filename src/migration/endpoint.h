// Where a migration stream goes: "tcp:HOST:PORT" or "unix:PATH" (the forms of QEMU's
// -incoming and migrate). Both ends use stream sockets; nothing here knows the stream format.
#pragma once
#include <string>

#include "common/result.h"

namespace vessel::migration {

struct Endpoint {
  enum class Kind { Tcp, Unix } kind = Kind::Tcp;
  std::string host, port, path;  // tcp: host (empty = any / localhost) and port; unix: path
  std::string text;              // as given
};

Result<Endpoint> parse_endpoint(const std::string& spec);
// A listening socket (close-on-exec). A Unix socket file left by an earlier run is replaced.
Result<int> listen_endpoint(const Endpoint& e);
// Waits for one connection; timeout_ms < 0 waits for ever. `stop_fd` (optional, -1) ends the wait.
Result<int> accept_connection(int listener, int timeout_ms, int stop_fd = -1);
// Connects within timeout_ms.
Result<int> connect_endpoint(const Endpoint& e, int timeout_ms);

}  // namespace vessel::migration
