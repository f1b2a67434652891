#include "http/http_server.h"

#include "http/http_client.h"
#include "http/socket_io.h"
#include "http/tls_stream.h"
#include "common/unix_socket.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

namespace vessel::http {
namespace {

std::string error_body(const std::string& code, const std::string& message) {
  return nlohmann::json{{"error", {{"code", code}, {"message", message}}}}.dump();
}

}  // namespace

HttpServer::~HttpServer() { stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::listen(const std::string& path, unsigned mode, Handler handler) {
  std::unique_ptr<HttpServer> s(new HttpServer());
  sockaddr_un addr;
  if (!unix_address(path, addr)) return Error{"socket path too long: " + path};
  // A socket file that still accepts connections belongs to a live server: leave it alone.
  if (const int probe = connect_unix(path); probe >= 0) {
    close(probe);
    return Error{"another server is listening on " + path};
  }
  unlink(path.c_str());
  s->listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s->listen_fd_ < 0 || bind(s->listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return Error{"cannot bind " + path + ": " + strerror(errno)};
  if (chmod(path.c_str(), mode) != 0 || ::listen(s->listen_fd_, 128) != 0)
    return Error{"cannot listen on " + path + ": " + strerror(errno)};
  s->path_ = path;
  s->start(std::move(handler));
  return s;
}

Result<std::unique_ptr<HttpServer>> HttpServer::bind_tcp(const std::string& host, unsigned port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (port > 65535 || getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found)
    return Error{"not a numeric address and port: " + host + ":" + std::to_string(port)};
  std::unique_ptr<HttpServer> s(new HttpServer());
  s->listen_fd_ = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(s->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const bool bound = s->listen_fd_ >= 0 && bind(s->listen_fd_, found->ai_addr, found->ai_addrlen) == 0;
  freeaddrinfo(found);
  if (!bound || ::listen(s->listen_fd_, 128) != 0)
    return Error{"cannot listen on " + host + ":" + std::to_string(port) + ": " + strerror(errno)};
  sockaddr_storage bound_addr{};
  socklen_t len = sizeof bound_addr;
  getsockname(s->listen_fd_, reinterpret_cast<sockaddr*>(&bound_addr), &len);
  s->transport_ = Peer::Transport::Tcp;
  s->port_ = ntohs(bound_addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound_addr)->sin6_port
                                                    : reinterpret_cast<sockaddr_in*>(&bound_addr)->sin_port);
  return s;
}

Result<std::unique_ptr<HttpServer>> HttpServer::listen_tcp(const std::string& host, unsigned port, Handler handler) {
  auto s = bind_tcp(host, port);
  if (s) s.value()->start(std::move(handler));
  return s;
}

Result<std::unique_ptr<HttpServer>> HttpServer::listen_tls(const std::string& host, unsigned port,
                                                          std::shared_ptr<TlsContext> tls, Handler handler,
                                                          std::function<void(const Peer&, const std::string&)> refused) {
  if (!tls || tls->side() != TlsContext::Side::Server) return Error{"listen_tls needs a server TLS context"};
  auto s = bind_tcp(host, port);
  if (!s) return s;
  s.value()->transport_ = Peer::Transport::Tls;
  s.value()->tls_ = std::move(tls);
  s.value()->refused_ = std::move(refused);
  s.value()->start(std::move(handler));
  return s;
}

Result<std::unique_ptr<HttpServer>> HttpServer::adopt(int listen_fd, Handler handler) {
  int accepting = 0;
  socklen_t len = sizeof accepting;
  if (getsockopt(listen_fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) != 0 || !accepting)
    return Error{"descriptor " + std::to_string(listen_fd) + " is not a listening socket"};
  fcntl(listen_fd, F_SETFD, FD_CLOEXEC);
  std::unique_ptr<HttpServer> s(new HttpServer());
  s->listen_fd_ = listen_fd;
  s->start(std::move(handler));
  return s;
}

void HttpServer::start(Handler handler) {
  handler_ = std::move(handler);
  stop_fd_ = eventfd(0, EFD_CLOEXEC);
  accept_thread_ = std::thread([this] { accept_loop(); });
}

void HttpServer::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_ || listen_fd_ < 0) return;
    stopped_ = true;
    for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);  // wakes every connection thread
  }
  const uint64_t one = 1;
  (void)!write(stop_fd_, &one, sizeof one);
  if (accept_thread_.joinable()) accept_thread_.join();
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return open_fds_.empty(); });
  close(listen_fd_);
  if (!path_.empty()) unlink(path_.c_str());
  close(stop_fd_);
}

void HttpServer::accept_loop() {
  for (int fd; (fd = accept_or_stop(listen_fd_, stop_fd_)) >= 0;) {
    std::lock_guard lock(mutex_);
    if (stopped_) {
      close(fd);
      return;
    }
    if (open_fds_.size() >= kMaxConnections) {
      HttpResponse r;
      r.status = 503;
      r.body = error_body("busy", "too many connections");
      send_all(fd, serialize(r, false));
      close(fd);
      continue;
    }
    open_fds_.insert(fd);
    try {
      std::thread([this, fd] {
        connection(fd);
        std::lock_guard l(mutex_);
        close(fd);
        open_fds_.erase(fd);
        cv_.notify_all();
      }).detach();
    } catch (const std::system_error&) {  // no thread to spare: refuse this connection only
      open_fds_.erase(fd);
      close(fd);
    }
  }
}

void HttpServer::connection(int fd) {
  Peer peer;
  const Peer::Transport transport = transport_;  // set before the accept thread started
  peer.transport = transport;
  if (transport == Peer::Transport::Unix) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
      peer.uid = cred.uid;
      peer.gid = cred.gid;
      peer.pid = cred.pid;
    }
    serve(fd, peer);
    return;
  }
  if (transport == Peer::Transport::Tcp) {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0 &&
        getnameinfo(reinterpret_cast<sockaddr*>(&a), len, host, sizeof host, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) == 0)
      peer.remote_address = std::string(host) + ":" + serv;
    serve(fd, peer);
    return;
  }
  // TLS: the handshake runs here, in the connection's own thread, so a slow or malformed one
  // holds up nobody else. HTTP is then served on the relay's plain end.
  auto stream = tls_accept(*tls_, fd, peer, 10000);
  if (!stream) {
    if (refused_) refused_(peer, stream.error());
    return;
  }
  serve(stream->fd, peer);
  close(stream->fd);
}

void HttpServer::serve(int fd, const Peer& peer) {
  RequestParser parser;
  char buf[16384];
  bool continued = false;  // 100 Continue sent for the request being received
  for (;;) {
    HttpRequest req;
    const RequestParser::State st = parser.next(req);
    if (st == RequestParser::State::Bad) {
      HttpResponse r;
      r.status = parser.error_status();
      r.body = error_body("bad_request", parser.error_message());
      send_all(fd, serialize(r, false));
      return;
    }
    if (st == RequestParser::State::NeedMore) {
      if (!continued && parser.wants_continue()) {
        continued = true;
        if (!send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n")) return;
      }
      const ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      parser.feed(buf, static_cast<size_t>(n));
      continue;
    }
    continued = false;
    req.peer = peer;
    HandlerResult result = handler_(req);
    if (result.response.streaming) {
      const bool sent = send_all(fd, serialize(result.response, false));
      if (result.stream) result.stream(sent ? fd : -1, parser.take_rest());  // -1: only clean up
      return;
    }
    const bool keep = req.keep_alive();
    if (!send_all(fd, serialize(result.response, keep)) || !keep) return;
  }
}

}  // namespace vessel::http
