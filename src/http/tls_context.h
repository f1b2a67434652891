// OpenSSL contexts for the API over TCP: mutual TLS with one CA (the cluster CA that
// `vessel cluster init` makes). The server asks every client for a certificate and refuses
// the handshake without one the CA signed; the client checks the server's certificate
// against the same CA and the host name or address it dialled.
#pragma once
#include <memory>
#include <string>

#include "common/result.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace vessel::http {

// PEM files: the CA's certificate, our certificate and its private key.
struct TlsFiles {
  std::string ca, cert, key;
};
// DIR/ca.crt, DIR/STEM.crt, DIR/STEM.key (STEM: "host" for a daemon, "client" for the CLI).
TlsFiles tls_files_in(const std::string& dir, const std::string& stem);

class TlsContext {
 public:
  enum class Side { Server, Client };
  static Result<std::shared_ptr<TlsContext>> create(Side side, const TlsFiles& files);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  SSL_CTX* get() const { return ctx_; }
  Side side() const { return side_; }

 private:
  TlsContext(SSL_CTX* ctx, Side side) : ctx_(ctx), side_(side) {}
  SSL_CTX* ctx_;
  Side side_;
};

// The last OpenSSL errors of this thread as one line (and clears them).
std::string tls_error_text(const std::string& fallback = "TLS error");

}  // namespace vessel::http
