#include "http/tls_stream.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace vessel::http {
namespace {

using Clock = std::chrono::steady_clock;

std::string address_text(const sockaddr_storage& a, bool with_port) {
  char host[INET6_ADDRSTRLEN] = "?";
  unsigned port = 0;
  const bool v6 = a.ss_family == AF_INET6;
  if (a.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&a);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
  } else if (v6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&a);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    port = ntohs(in6->sin6_port);
  }
  std::string out;
  if (with_port && v6) out += '[';
  out += host;
  if (with_port && v6) out += ']';
  if (with_port) {
    out += ':';
    out += std::to_string(port);
  }
  return out;
}

std::string subject_field(X509_NAME* name, int nid) {
  char buf[256];
  const int n = X509_NAME_get_text_by_NID(name, nid, buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// Runs SSL_accept or SSL_connect on a non-blocking socket until done, failed or timed out.
Result<bool> handshake(SSL* ssl, int fd, bool server, int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    ERR_clear_error();
    const int r = server ? SSL_accept(ssl) : SSL_connect(ssl);
    if (r == 1) return true;
    const int e = SSL_get_error(ssl, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
      std::string why = tls_error_text(e == SSL_ERROR_SYSCALL ? "the connection closed during the TLS handshake"
                                                              : "TLS handshake failed");
      const long verify = SSL_get_verify_result(ssl);
      if (verify != X509_V_OK) why += " (" + std::string(X509_verify_cert_error_string(verify)) + ")";
      return Error{why};
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{fd, static_cast<short>(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0};
    if (left <= 0) return Error{"the TLS handshake timed out"};
    const int n = poll(&p, 1, static_cast<int>(left));
    if (n < 0 && errno != EINTR) return Error{std::string("poll: ") + strerror(errno)};
  }
}

// Moves bytes between `ssl` (on non-blocking `net`) and the local end `local` until both
// directions are done or one fails. Owns and frees all three.
void relay(SSL* ssl, int net, int local, std::shared_ptr<TlsLinkStatus> status) {
  std::string to_local, to_remote;
  bool remote_open = true, local_open = true;  // each side still sends us data
  bool ssl_wants_write = false, local_shut = false;
  char buf[16384];
  auto fail = [&](const std::string& why) {
    std::lock_guard lock(status->mutex);
    if (status->error.empty()) status->error = why;
  };
  for (;;) {
    bool progress = false;
    // Remote -> local.
    if (remote_open && to_local.size() < sizeof buf) {
      ERR_clear_error();
      const int n = SSL_read(ssl, buf, sizeof buf);
      if (n > 0) {
        to_local.append(buf, static_cast<size_t>(n));
        progress = true;
      } else {
        const int e = SSL_get_error(ssl, n);
        if (e == SSL_ERROR_ZERO_RETURN) {
          remote_open = false;
        } else if (e == SSL_ERROR_WANT_WRITE) {
          ssl_wants_write = true;
        } else if (e != SSL_ERROR_WANT_READ) {
          fail(tls_error_text("the connection was closed"));
          remote_open = false;
          break;
        }
      }
    }
    if (!to_local.empty()) {
      const ssize_t w = send(local, to_local.data(), to_local.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w > 0) {
        to_local.erase(0, static_cast<size_t>(w));
        progress = true;
      } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
        break;  // the local side went away
      }
    }
    if (!remote_open && to_local.empty() && !local_shut) {
      shutdown(local, SHUT_WR);
      local_shut = true;
    }
    // Local -> remote.
    if (local_open && to_remote.empty()) {
      const ssize_t n = recv(local, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        to_remote.assign(buf, static_cast<size_t>(n));
        progress = true;
      } else if (n == 0) {
        local_open = false;
        ERR_clear_error();
        (void)SSL_shutdown(ssl);  // close_notify: the peer sees the end of our data
        progress = true;
      } else if (errno != EAGAIN && errno != EINTR) {
        break;
      }
    }
    if (!to_remote.empty()) {
      ERR_clear_error();
      const int n = SSL_write(ssl, to_remote.data(), static_cast<int>(to_remote.size()));
      if (n > 0) {
        to_remote.erase(0, static_cast<size_t>(n));
        ssl_wants_write = false;
        progress = true;
      } else {
        const int e = SSL_get_error(ssl, n);
        if (e == SSL_ERROR_WANT_WRITE) ssl_wants_write = true;
        else if (e != SSL_ERROR_WANT_READ) {
          fail(tls_error_text("the connection was closed"));
          break;
        }
      }
    }
    if (!remote_open && !local_open && to_local.empty() && to_remote.empty()) break;
    if (progress || SSL_pending(ssl) > 0) continue;
    pollfd fds[2] = {
        {net, static_cast<short>((remote_open ? POLLIN : 0) | (ssl_wants_write || !to_remote.empty() ? POLLOUT : 0)), 0},
        {local, static_cast<short>((local_open && to_remote.empty() ? POLLIN : 0) | (!to_local.empty() ? POLLOUT : 0)), 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
    if (fds[1].revents & (POLLERR | POLLNVAL)) break;
    if ((fds[1].revents & POLLHUP) && !local_open) break;  // the local side closed for good
    if ((fds[0].revents & (POLLERR | POLLNVAL)) || ((fds[0].revents & POLLHUP) && !remote_open)) break;
    if ((fds[0].revents & POLLHUP) && !(fds[0].revents & POLLIN)) {
      fail("the connection was closed");
      break;
    }
  }
  SSL_free(ssl);
  close(net);
  close(local);
}

Result<TlsStream> start_relay(SSL* ssl, int net) {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    SSL_free(ssl);
    close(net);
    return Error{std::string("socketpair: ") + strerror(errno)};
  }
  fcntl(pair[0], F_SETFL, fcntl(pair[0], F_GETFL) | O_NONBLOCK);
  TlsStream s{pair[1], std::make_shared<TlsLinkStatus>()};
  try {
    std::thread(relay, ssl, net, pair[0], s.status).detach();
  } catch (const std::system_error&) {
    SSL_free(ssl);
    close(net);
    close(pair[0]);
    close(pair[1]);
    return Error{"no thread for the TLS connection"};
  }
  return s;
}

}  // namespace

Result<TlsStream> tls_accept(const TlsContext& ctx, int tcp_fd, Peer& peer, int timeout_ms) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  peer.transport = Peer::Transport::Tls;
  if (getpeername(tcp_fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) peer.remote_address = address_text(a, true);
  len = sizeof a;
  if (getsockname(tcp_fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) peer.local_address = address_text(a, false);
  const int net = fcntl(tcp_fd, F_DUPFD_CLOEXEC, 0);
  if (net < 0) return Error{std::string("dup: ") + strerror(errno)};
  fcntl(net, F_SETFL, fcntl(net, F_GETFL) | O_NONBLOCK);
  SSL* ssl = SSL_new(ctx.get());
  if (!ssl || SSL_set_fd(ssl, net) != 1) {
    SSL_free(ssl);
    close(net);
    return Error{tls_error_text("cannot set up TLS")};
  }
  if (auto ok = handshake(ssl, net, true, timeout_ms); !ok) {
    SSL_free(ssl);
    close(net);
    return Error{ok.error()};
  }
  X509* cert = SSL_get0_peer_certificate(ssl);  // verified against the CA by the handshake
  if (X509_NAME* subject = cert ? X509_get_subject_name(cert) : nullptr) {
    peer.name = subject_field(subject, NID_commonName);
    peer.role = subject_field(subject, NID_organizationalUnitName);
    peer.project = subject_field(subject, NID_organizationName);
  }
  return start_relay(ssl, net);
}

Result<TlsStream> tls_connect(const TlsContext& ctx, const std::string& host, unsigned port, int timeout_ms) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0 || !found)
    return Error{"cannot resolve " + host + ": " + gai_strerror(rc)};
  const int net = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int rc = net < 0 ? -1 : connect(net, found->ai_addr, found->ai_addrlen);
  freeaddrinfo(found);
  const std::string where = host + ":" + std::to_string(port);
  if (rc != 0 && net >= 0 && errno == EINPROGRESS) {
    pollfd p{net, POLLOUT, 0};
    if (poll(&p, 1, timeout_ms) <= 0) {
      close(net);
      return Error{"cannot connect to " + where + ": timed out"};
    }
    int err = 0;
    socklen_t el = sizeof err;
    getsockopt(net, SOL_SOCKET, SO_ERROR, &err, &el);
    errno = err;
    rc = err ? -1 : 0;
  }
  if (rc != 0) {
    const std::string why = strerror(errno);
    if (net >= 0) close(net);
    return Error{"cannot connect to " + where + ": " + why};
  }
  SSL* ssl = SSL_new(ctx.get());
  if (!ssl || SSL_set_fd(ssl, net) != 1) {
    SSL_free(ssl);
    close(net);
    return Error{tls_error_text("cannot set up TLS")};
  }
  // The server's certificate must name what we dialled: an address (IP SAN) or a host name.
  in6_addr probe6;
  in_addr probe4;
  const bool numeric = inet_pton(AF_INET, host.c_str(), &probe4) == 1 || inet_pton(AF_INET6, host.c_str(), &probe6) == 1;
  if (numeric) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
  } else {
    SSL_set1_host(ssl, host.c_str());
    SSL_set_tlsext_host_name(ssl, host.c_str());
  }
  if (auto ok = handshake(ssl, net, false, timeout_ms); !ok) {
    SSL_free(ssl);
    close(net);
    return Error{"TLS with " + where + ": " + ok.error()};
  }
  return start_relay(ssl, net);
}

}  // namespace vessel::http
