// A small HTTP/1.1 server on a Unix stream socket, TCP, or TCP with mutual TLS: one thread per
// connection (connections are few: the CLI, tests, a management tool, other daemons),
// keep-alive, Content-Length bodies. A handler may take a connection over for a long-lived
// stream (console attach). Each request carries its Peer (who is on the other end).
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "http/http_message.h"
#include "http/tls_context.h"
#include "common/result.h"

namespace vessel::http {

struct HandlerResult {
  HttpResponse response;
  // With response.streaming: owns the connection after the response head is sent; `rest`
  // holds bytes the client already sent after its request. The server closes fd afterwards.
  std::function<void(int fd, std::string rest)> stream;
};

class HttpServer {
 public:
  static constexpr size_t kMaxConnections = 1024;
  using Handler = std::function<HandlerResult(const HttpRequest&)>;
  ~HttpServer();
  // Binds `path` with `mode` (e.g. 0660). Refuses when another server answers there.
  static Result<std::unique_ptr<HttpServer>> listen(const std::string& path, unsigned mode, Handler handler);
  // Serves on a listening socket inherited from systemd (socket activation).
  static Result<std::unique_ptr<HttpServer>> adopt(int listen_fd, Handler handler);
  // Binds a TCP address ("127.0.0.1", "::1", ...) and port (0: any free one, see port()).
  static Result<std::unique_ptr<HttpServer>> listen_tcp(const std::string& host, unsigned port, Handler handler);
  // The same with mutual TLS: the handshake (within 10 s) must present a client certificate
  // `tls` trusts, else the connection is closed before any HTTP; `refused` hears why (it may
  // be called from many threads at once).
  static Result<std::unique_ptr<HttpServer>> listen_tls(const std::string& host, unsigned port,
                                                        std::shared_ptr<TlsContext> tls, Handler handler,
                                                        std::function<void(const Peer&, const std::string&)> refused);
  unsigned port() const { return port_; }
  void stop();

 private:
  HttpServer() = default;
  void accept_loop();
  void connection(int fd);
  void serve(int fd, const Peer& peer);

  static Result<std::unique_ptr<HttpServer>> bind_tcp(const std::string& host, unsigned port);
  void start(Handler handler);
  std::string path_;  // Unix socket to unlink at stop (empty for TCP)
  unsigned port_ = 0;
  int listen_fd_ = -1, stop_fd_ = -1;
  Handler handler_;
  Peer::Transport transport_ = Peer::Transport::Unix;
  std::shared_ptr<TlsContext> tls_;
  std::function<void(const Peer&, const std::string&)> refused_;
  std::thread accept_thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::set<int> open_fds_;
  bool stopped_ = false;
};

}  // namespace vessel::http
