// TLS on a connected TCP socket, turned into a plain local stream: after the handshake a
// relay thread moves bytes between the TLS connection and one end of a socket pair, and the
// caller gets the other end. So everything above (the HTTP server's keep-alive loop, the
// console relays and WebSocket bridge that poll raw descriptors, the client) works on TLS
// connections unchanged. The relay ends, closing both, when either side closes or fails.
#pragma once
#include <memory>
#include <mutex>
#include <string>

#include "common/result.h"
#include "http/peer.h"
#include "http/tls_context.h"

namespace vessel::http {

// Why a relay ended, when it was not a clean close: read after the local end sees EOF
// (a server that refuses our certificate in TLS 1.3 says so only after the handshake).
struct TlsLinkStatus {
  std::mutex mutex;
  std::string error;
  std::string get() {
    std::lock_guard lock(mutex);
    return error;
  }
};

struct TlsStream {
  int fd = -1;  // the local end (close-on-exec); the caller closes it
  std::shared_ptr<TlsLinkStatus> status;
};

// Server side: the handshake on `tcp_fd` (not taken: it is duplicated), within timeout_ms.
// Fills peer's certificate fields and addresses.
Result<TlsStream> tls_accept(const TlsContext& ctx, int tcp_fd, Peer& peer, int timeout_ms);
// Client side: connects to host:port (a name or numeric address) and checks that the
// server's certificate names `host`.
Result<TlsStream> tls_connect(const TlsContext& ctx, const std::string& host, unsigned port, int timeout_ms);

}  // namespace vessel::http
